"""The `regwarden:*` name/value properties that carry what CycloneDX and SPDX have no field for.

Writers (report/cyclonedx.py, report/spdx.py) and the reader (collect/sbom_file.py) share this one encoding, so an
SBOM written by regwarden reads back into the same `Package` and `LayerRef` objects without loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from regwarden.model.sbom import LayerRef, Location, Package, PackageType

PREFIX = "regwarden:"


def layer_properties(prefix: str, layer: LayerRef) -> list[tuple[str, str]]:
    props = [(f"{prefix}index", str(layer.index)), (f"{prefix}digest", layer.digest)]
    if layer.diff_id:
        props.append((f"{prefix}diffID", layer.diff_id))
    if layer.created_by:
        props.append((f"{prefix}createdBy", layer.created_by))
    return props


def layer_from_properties(prefix: str, props: Mapping[str, str]) -> LayerRef | None:
    if f"{prefix}digest" not in props:
        return None
    return LayerRef(
        index=int(props.get(f"{prefix}index", "0")),
        digest=props[f"{prefix}digest"],
        diff_id=props.get(f"{prefix}diffID"),
        created_by=props.get(f"{prefix}createdBy"),
    )


def package_properties(package: Package) -> list[tuple[str, str]]:
    """Everything about a package that the standard fields of CycloneDX/SPDX do not hold."""
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
    """Rebuild a Package from standard fields plus the `regwarden:*` properties written by `package_properties`."""
    locations = []
    n = 0
    while f"{PREFIX}location:{n}:path" in props:
        layer = layer_from_properties(f"{PREFIX}location:{n}:layer:", props)
        locations.append(Location(props[f"{PREFIX}location:{n}:path"], layer))
        n += 1
    epoch = props.get(f"{PREFIX}epoch")
    metadata_prefix = f"{PREFIX}metadata:"
    return Package(
        name=name,
        version=version,
        type=PackageType(props.get(f"{PREFIX}package:type") or _type_from_purl(purl)),
        purl=purl,
        cataloger=props.get(f"{PREFIX}cataloger", "sbom-file"),
        locations=tuple(locations),
        layer=layer_from_properties(f"{PREFIX}layer:", props),
        licenses=tuple(licenses),
        source_name=props.get(f"{PREFIX}source:name"),
        source_version=props.get(f"{PREFIX}source:version"),
        arch=props.get(f"{PREFIX}arch"),
        epoch=int(epoch) if epoch is not None else None,
        cpes=tuple(cpes),
        owned_by=props.get(f"{PREFIX}ownedBy"),
        metadata={k[len(metadata_prefix) :]: v for k, v in props.items() if k.startswith(metadata_prefix)},
    )


def _type_from_purl(purl: str) -> str:
    """A foreign SBOM has no regwarden type property: derive it from the purl type (`pkg:deb/...` → deb)."""
    purl_type = purl.removeprefix("pkg:").split("/", 1)[0].lower() if purl.startswith("pkg:") else ""
    if purl_type == "golang" and "/stdlib@" in purl:
        return PackageType.GO_STDLIB.value
    known = {t.value for t in PackageType}
    if purl_type not in known:
        raise ValueError(f"unsupported package type in purl {purl!r}")
    return purl_type
