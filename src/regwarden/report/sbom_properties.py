"""The `regwarden:*` name/value properties that carry what CycloneDX and SPDX have no field for.

The CycloneDX and SPDX writers add these to the standard fields, so the document reads back without loss
(collect/sbomfile/properties.py is the reader; tests/collect/test_sbom_file.py round-trips every format). Lists
are numbered (`regwarden:location:0:path`, ...) because formats may reorder them. Renders model objects; computes
nothing.
"""

from __future__ import annotations

from regwarden.model.sbom import LayerRef, Package, Sbom
from regwarden.model.sbom_properties import PREFIX


def layer_properties(prefix: str, layer: LayerRef) -> list[tuple[str, str]]:
    props = [(f"{prefix}index", str(layer.index)), (f"{prefix}digest", layer.digest)]
    if layer.diff_id is not None:
        props.append((f"{prefix}diffID", layer.diff_id))
    if layer.created_by is not None:
        props.append((f"{prefix}createdBy", layer.created_by))
    return props


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
