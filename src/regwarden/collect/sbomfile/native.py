"""regwarden's own SBOM JSON (report/sbom_json.py) read back into an `Sbom`.

The format is the model written field by field, so reading it is exact by construction; every field is still
checked for its JSON type, because the file may come from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regwarden.collect.json_shapes import (
    json_object,
    json_objects,
    json_optional_int,
    json_optional_text,
    json_strings,
    json_text,
)
from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Sbom, Unknown


def sbom_from_native_json(document: Mapping[str, Any]) -> Sbom:
    """Raises ValueError naming the field when the document does not have the shape regwarden writes."""
    os_ = document.get("operating_system")
    return Sbom(
        source=_required(document, "source"),
        packages=tuple(
            _package(entry, n) for n, entry in enumerate(json_objects(document.get("packages"), "packages"))
        ),
        unknowns=tuple(_unknown(entry) for entry in json_objects(document.get("unknowns"), "unknowns")),
        operating_system=_operating_system(json_object(os_, "operating_system")) if os_ is not None else None,
        image_digest=json_optional_text(document.get("image_digest"), "image_digest"),
        layers=tuple(_layer(entry, "layers") for entry in json_objects(document.get("layers"), "layers")),
        tool_version=json_optional_text(document.get("tool_version"), "tool_version"),
        created=json_optional_text(document.get("created"), "created"),
    )


def _package(entry: Mapping[str, Any], n: int) -> Package:
    where = f"packages[{n}]"
    metadata = json_object(entry.get("metadata"), f"{where}.metadata")
    return Package(
        name=_required(entry, "name", where),
        version=json_text(entry.get("version")),
        type=PackageType(_required(entry, "type", where)),
        purl=_required(entry, "purl", where),
        cataloger=_required(entry, "cataloger", where),
        locations=tuple(_location(loc, where) for loc in json_objects(entry.get("locations"), f"{where}.locations")),
        layer=_optional_layer(entry.get("layer"), f"{where}.layer"),
        licenses=json_strings(entry.get("licenses"), f"{where}.licenses"),
        source_name=json_optional_text(entry.get("source_name"), f"{where}.source_name"),
        source_version=json_optional_text(entry.get("source_version"), f"{where}.source_version"),
        arch=json_optional_text(entry.get("arch"), f"{where}.arch"),
        epoch=json_optional_int(entry.get("epoch"), f"{where}.epoch"),
        cpes=json_strings(entry.get("cpes"), f"{where}.cpes"),
        owned_by=json_optional_text(entry.get("owned_by"), f"{where}.owned_by"),
        metadata={str(key): json_text(value) for key, value in metadata.items()},
    )


def _location(entry: Mapping[str, Any], where: str) -> Location:
    return Location(_required(entry, "path", where), _optional_layer(entry.get("layer"), f"{where}.layer"))


def _unknown(entry: Mapping[str, Any]) -> Unknown:
    return Unknown(
        path=_required(entry, "path", "unknowns"),
        reason=json_text(entry.get("reason")),
        cataloger=json_optional_text(entry.get("cataloger"), "unknowns.cataloger"),
        layer=_optional_layer(entry.get("layer"), "unknowns.layer"),
    )


def _operating_system(entry: Mapping[str, Any]) -> OperatingSystem:
    return OperatingSystem(
        id=_required(entry, "id", "operating_system"),
        version_id=json_optional_text(entry.get("version_id"), "operating_system.version_id"),
        pretty_name=json_optional_text(entry.get("pretty_name"), "operating_system.pretty_name"),
        version_codename=json_optional_text(entry.get("version_codename"), "operating_system.version_codename"),
        id_like=json_strings(entry.get("id_like"), "operating_system.id_like"),
    )


def _optional_layer(value: object, where: str) -> LayerRef | None:
    return None if value is None else _layer(json_object(value, where), where)


def _layer(entry: Mapping[str, Any], where: str) -> LayerRef:
    index = json_optional_int(entry.get("index"), f"{where}.index")
    if index is None:
        raise ValueError(f"{where} has no index")
    return LayerRef(
        index=index,
        digest=_required(entry, "digest", where),
        diff_id=json_optional_text(entry.get("diff_id"), f"{where}.diff_id"),
        created_by=json_optional_text(entry.get("created_by"), f"{where}.created_by"),
    )


def _required(entry: Mapping[str, Any], key: str, where: str = "document") -> str:
    value = json_text(entry.get(key))
    if not value:
        raise ValueError(f"{where} has no {key}")
    return value
