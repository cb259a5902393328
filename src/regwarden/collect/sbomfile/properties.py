"""The `regwarden:*` name/value properties that carry what CycloneDX and SPDX have no field for.

Writers (report/cyclonedx.py, report/spdx.py) and the reader (collect/sbomfile/read.py) share this encoding, so an
SBOM written by regwarden reads back into the same `Package`, `LayerRef`, `Unknown` and `OperatingSystem`
objects without loss. Lists are numbered (`regwarden:location:0:path`, ...) because formats may reorder them.
Decoding raises ValueError on a malformed value; the reader turns that into a BadInputError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Sbom, Unknown

PREFIX = "regwarden:"
SPDX_ANNOTATION_MARKER = "regwarden-properties:"
"""SPDX has no properties: they travel JSON-encoded in one annotation whose comment starts with this."""
PURL = f"{PREFIX}purl"
"""The purl exactly as found, written only when a format library would re-encode it differently."""


def layer_properties(prefix: str, layer: LayerRef) -> list[tuple[str, str]]:
    props = [(f"{prefix}index", str(layer.index)), (f"{prefix}digest", layer.digest)]
    if layer.diff_id is not None:
        props.append((f"{prefix}diffID", layer.diff_id))
    if layer.created_by is not None:
        props.append((f"{prefix}createdBy", layer.created_by))
    return props


def layer_from_properties(prefix: str, props: Mapping[str, str]) -> LayerRef | None:
    if f"{prefix}digest" not in props:
        return None
    return LayerRef(
        index=_int(props.get(f"{prefix}index", "0"), f"{prefix}index"),
        digest=props[f"{prefix}digest"],
        diff_id=props.get(f"{prefix}diffID"),
        created_by=props.get(f"{prefix}createdBy"),
    )


def package_properties(package: Package) -> list[tuple[str, str]]:
    """What the standard fields of CycloneDX/SPDX do not hold about a package, or do not keep in order."""
    props: list[tuple[str, str]] = [
        (f"{PREFIX}package:type", package.type.value),
        (f"{PREFIX}cataloger", package.cataloger),
    ]
    optional = {
        "source:name": package.source_name,
        "source:version": package.source_version,
        "arch": package.arch,
        "epoch": None if package.epoch is None else str(package.epoch),
        "ownedBy": package.owned_by,
    }
    props += [(f"{PREFIX}{key}", value) for key, value in optional.items() if value is not None]
    if package.layer is not None:
        props += layer_properties(f"{PREFIX}layer:", package.layer)
    for n, location in enumerate(package.locations):
        props.append((f"{PREFIX}location:{n}:path", location.path))
        if location.layer is not None:
            props += layer_properties(f"{PREFIX}location:{n}:layer:", location.layer)
    # Both formats hold licences and CPEs, but CycloneDX libraries sort and de-duplicate them: keep the order.
    props += [(f"{PREFIX}license:{n}", text) for n, text in enumerate(package.licenses)]
    props += [(f"{PREFIX}cpe:{n}", cpe) for n, cpe in enumerate(package.cpes)]
    props += [(f"{PREFIX}metadata:{key}", value) for key, value in sorted(package.metadata.items())]
    return props


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


def subject_properties(sbom: Sbom) -> list[tuple[str, str]]:
    """What describes the whole image: its layers, what could not be read, and the operating system."""
    props: list[tuple[str, str]] = []
    for n, layer in enumerate(sbom.layers):
        props += layer_properties(f"{PREFIX}image:layer:{n}:", layer)
    for n, unknown in enumerate(sbom.unknowns):
        props += [
            (f"{PREFIX}unknown:{n}:path", unknown.path),
            (f"{PREFIX}unknown:{n}:reason", unknown.reason),
        ]
        if unknown.cataloger is not None:
            props.append((f"{PREFIX}unknown:{n}:cataloger", unknown.cataloger))
        if unknown.layer is not None:
            props += layer_properties(f"{PREFIX}unknown:{n}:layer:", unknown.layer)
    if sbom.operating_system is not None:
        os_ = sbom.operating_system
        optional = {
            "os:id": os_.id,
            "os:versionID": os_.version_id,
            "os:codename": os_.version_codename,
            "os:prettyName": os_.pretty_name,
            "os:idLike": " ".join(os_.id_like) if os_.id_like else None,
        }
        props += [(f"{PREFIX}{key}", value) for key, value in optional.items() if value is not None]
    return props


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
