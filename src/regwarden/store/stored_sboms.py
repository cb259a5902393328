"""A catalogued image's SBOM, rebuilt from the store: its packages (with layer and path), its OS and its layers.

Unknowns are stored as a count only (images.unknown_count), so a rebuilt SBOM has none; licences and CPEs are not
stored either. Everything `diff_sboms` and the matchers read is.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.sbom import LayerRef, Location, OperatingSystem, Package, PackageType, Sbom
from regwarden.store.inventory_schema import components, images, packages

CATALOGUED = "catalogued"


class StoredSboms:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def sbom(self, digest: str) -> Sbom | None:
        """The SBOM of catalogued image `digest`; None when it was never catalogued (or failed to be)."""
        with self._engine.connect() as conn:
            image = conn.execute(sa.select(images).where(images.c.digest == digest)).first()
            if image is None or image.status != CATALOGUED:
                return None
            layers = _layers(image.layers)
            query = (
                sa.select(packages, components.c.layer_index, components.c.layer_digest, components.c.path)
                .join(components, components.c.package_id == packages.c.id)
                .where(components.c.image_digest == digest)
                .order_by(packages.c.type, packages.c.name, packages.c.version, components.c.path)
            )
            found = tuple(_package(row._mapping, layers) for row in conn.execute(query))
        return Sbom(
            source=str(image.source),
            packages=found,
            operating_system=_operating_system(image._mapping),
            image_digest=digest,
            layers=tuple(layers),
            tool_version=str(image.tool_version),
        )


def _layers(text: str | None) -> list[LayerRef]:
    described = json.loads(text) if text else []
    return [
        LayerRef(index, str(layer["digest"]), layer.get("diff_id"), layer.get("created_by"))
        for index, layer in enumerate(described)
    ]


def _package(mapping: sa.RowMapping, layers: list[LayerRef]) -> Package:
    layer = _layer(mapping["layer_index"], mapping["layer_digest"], layers)
    path = mapping["path"]
    return Package(
        name=str(mapping["name"]),
        version=str(mapping["version"]),
        type=PackageType(mapping["type"]),
        purl=str(mapping["purl"]),
        cataloger=str(mapping["cataloger"]),
        locations=(Location(str(path), layer),) if path is not None else (),
        layer=layer,
        source_name=_text(mapping["source_name"]),
        source_version=_text(mapping["source_version"]),
        arch=_text(mapping["arch"]),
        epoch=int(str(mapping["epoch"])) if mapping["epoch"] is not None else None,
        owned_by=_text(mapping["owned_by"]),
    )


def _layer(index: object, digest: object, layers: list[LayerRef]) -> LayerRef | None:
    """The image's own description of the layer (with created_by) when it has one, else what the component says."""
    if index is None or digest is None:
        return None
    position = int(str(index))
    if position < len(layers) and layers[position].digest == digest:
        return layers[position]
    return LayerRef(position, str(digest))


def _operating_system(mapping: sa.RowMapping) -> OperatingSystem | None:
    if mapping["os_id"] is None:
        return None
    return OperatingSystem(
        id=str(mapping["os_id"]),
        version_id=_text(mapping["os_version_id"]),
        pretty_name=_text(mapping["os_pretty_name"]),
        version_codename=_text(mapping["os_codename"]),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
