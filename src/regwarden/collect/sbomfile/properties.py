"""Reading the `regwarden:*` name/value properties back into `Package`, `LayerRef`, `Unknown` and `OperatingSystem`.

report/sbom_properties.py writes them into CycloneDX and SPDX for what those formats have no field for; this is its
inverse, so an SBOM written by regwarden reads back into the same objects (tests/collect/test_sbom_file.py
round-trips every format). Lists are numbered (`regwarden:location:0:path`, ...) because formats may reorder
them. Decoding raises ValueError on a malformed value; the reader turns that into a BadInputError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Unknown
from regwarden.model.sbom_properties import PREFIX, PURL


def layer_from_properties(prefix: str, props: Mapping[str, str]) -> LayerRef | None:
    if f"{prefix}digest" not in props:
        return None
    return LayerRef(
        index=_int(props.get(f"{prefix}index", "0"), f"{prefix}index"),
        digest=props[f"{prefix}digest"],
        diff_id=props.get(f"{prefix}diffID"),
        created_by=props.get(f"{prefix}createdBy"),
    )


def package_from_properties(
    *,
    name: str,
    version: str,
    purl: str,
    licenses: Iterable[str],
    cpes: Iterable[str],
    props: Mapping[str, str],
) -> Package:
    """Rebuild a Package from standard fields plus the `regwarden:*` properties of `package_properties`.

    A foreign SBOM has no such properties: the type then comes from the purl, and licences and CPEs from the
    standard fields passed in.
    """
    purl = props.get(PURL, purl)
    epoch = props.get(f"{PREFIX}epoch")
    metadata_prefix = f"{PREFIX}metadata:"
    return Package(
        name=name,
        version=version,
        type=PackageType(props.get(f"{PREFIX}package:type") or type_from_purl(purl)),
        purl=purl,
        cataloger=props.get(f"{PREFIX}cataloger", "sbom-file"),
        locations=_locations(props),
        layer=layer_from_properties(f"{PREFIX}layer:", props),
        licenses=_numbered(props, f"{PREFIX}license:") or tuple(licenses),
        source_name=props.get(f"{PREFIX}source:name"),
        source_version=props.get(f"{PREFIX}source:version"),
        arch=props.get(f"{PREFIX}arch"),
        epoch=_int(epoch, "epoch") if epoch is not None else None,
        cpes=_numbered(props, f"{PREFIX}cpe:") or tuple(cpes),
        owned_by=props.get(f"{PREFIX}ownedBy"),
        metadata={k[len(metadata_prefix) :]: v for k, v in props.items() if k.startswith(metadata_prefix)},
    )


def image_layers_from_properties(props: Mapping[str, str]) -> tuple[LayerRef, ...]:
    layers = []
    n = 0
    while (layer := layer_from_properties(f"{PREFIX}image:layer:{n}:", props)) is not None:
        layers.append(layer)
        n += 1
    return tuple(layers)


def unknowns_from_properties(props: Mapping[str, str]) -> tuple[Unknown, ...]:
    unknowns = []
    n = 0
    while f"{PREFIX}unknown:{n}:path" in props:
        unknowns.append(
            Unknown(
                path=props[f"{PREFIX}unknown:{n}:path"],
                reason=props.get(f"{PREFIX}unknown:{n}:reason", ""),
                cataloger=props.get(f"{PREFIX}unknown:{n}:cataloger"),
                layer=layer_from_properties(f"{PREFIX}unknown:{n}:layer:", props),
            )
        )
        n += 1
    return tuple(unknowns)


def operating_system_from_properties(props: Mapping[str, str]) -> OperatingSystem | None:
    if f"{PREFIX}os:id" not in props:
        return None
    return OperatingSystem(
        id=props[f"{PREFIX}os:id"],
        version_id=props.get(f"{PREFIX}os:versionID"),
        pretty_name=props.get(f"{PREFIX}os:prettyName"),
        version_codename=props.get(f"{PREFIX}os:codename"),
        id_like=tuple(props.get(f"{PREFIX}os:idLike", "").split()),
    )


def type_from_purl(purl: str) -> str:
    """A foreign SBOM has no regwarden type property: derive it from the purl type (`pkg:deb/...` → deb)."""
    purl_type = purl.removeprefix("pkg:").split("/", 1)[0].lower() if purl.startswith("pkg:") else ""
    if purl_type == "golang" and purl.lower().startswith("pkg:golang/stdlib@"):
        return PackageType.GO_STDLIB.value
    known = {t.value for t in PackageType if t is not PackageType.GO_STDLIB}
    if purl_type not in known:
        raise ValueError(f"unsupported package type {purl_type or '(none)'!r} in purl {purl!r}")
    return purl_type


def _locations(props: Mapping[str, str]) -> tuple[Location, ...]:
    locations = []
    n = 0
    while f"{PREFIX}location:{n}:path" in props:
        layer = layer_from_properties(f"{PREFIX}location:{n}:layer:", props)
        locations.append(Location(props[f"{PREFIX}location:{n}:path"], layer))
        n += 1
    return tuple(locations)


def _numbered(props: Mapping[str, str], prefix: str) -> tuple[str, ...]:
    values = []
    n = 0
    while f"{prefix}{n}" in props:
        values.append(props[f"{prefix}{n}"])
        n += 1
    return tuple(values)


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what} must be an integer, got {text!r}") from None
