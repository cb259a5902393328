"""The image catalog: each digest's metadata, its packages (stored once across images) and its components.

A digest is catalogued once, ever: `record_image` of a digest already catalogued changes nothing and says so.
A digest that could not be read is recorded as `failed` with its error, and catalogued for real on a later try.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden import __version__
from regwarden.model.image import ImageMetadata
from regwarden.model.sbom import Sbom
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import components, image_children, images, package_keys, packages, scan_records
from regwarden.store.moments import aware_now
from regwarden.store.package_identity import package_identity
from regwarden.store.packages import StoredPackage, store_packages, stored_package
from regwarden.store.upsert import dialect_insert

CATALOGUED = "catalogued"
FAILED = "failed"


@dataclass(frozen=True)
class CatalogEntry:
    """An image to catalog: its SBOM, and its metadata when it was read from an image (not an SBOM file)."""

    digest: str
    source: str
    sbom: Sbom
    metadata: ImageMetadata | None = None


@dataclass(frozen=True)
class RecordedImage:
    digest: str
    new: bool
    """False when the digest was already catalogued: nothing was written."""
    package_ids: frozenset[int]
    """Every stored package the image holds."""
    new_package_ids: frozenset[int]
    """Packages no image held before: only these need matching (the others' findings are current)."""


class ImageCatalog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def statuses(self, digests: Iterable[str]) -> dict[str, str]:
        """digest → `catalogued` or `failed`, for the digests the catalog has a row for. An index counts as
        catalogued when a platform manifest selected from it is: a re-sync does not open it again."""
        wanted = sorted(set(digests))
        found: dict[str, str] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(wanted):
                query = sa.select(images.c.digest, images.c.status).where(images.c.digest.in_(chunk))
                found.update({row.digest: row.status for row in conn.execute(query)})
            for chunk in chunks([digest for digest in wanted if digest not in found]):
                query = (
                    sa.select(image_children.c.index_digest)
                    .join(images, images.c.digest == image_children.c.child_digest)
                    .where(image_children.c.index_digest.in_(chunk), images.c.status == CATALOGUED)
                )
                found.update({row.index_digest: CATALOGUED for row in conn.execute(query)})
        return found

    def record_image(self, entry: CatalogEntry, now: datetime | None = None) -> RecordedImage:
        moment = aware_now(now)
        with self._engine.begin() as conn:
            status = conn.execute(sa.select(images.c.status).where(images.c.digest == entry.digest)).scalar()
            if status == CATALOGUED:
                return RecordedImage(
                    entry.digest, False, frozenset(_image_package_ids(conn, entry.digest)), frozenset()
                )
            if status == FAILED:
                conn.execute(sa.delete(images).where(images.c.digest == entry.digest))
            # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT … ON CONFLICT DO NOTHING.
            insert = dialect_insert(conn, images).on_conflict_do_nothing(index_elements=["digest"])
            if conn.execute(insert.returning(images.c.digest), [_image_row(entry, moment)]).first() is None:
                # Another writer catalogued it meanwhile (two tags, or an index and its child, in one sync).
                return RecordedImage(entry.digest, False, frozenset(), frozenset())
            ids, new_ids = store_packages(conn, entry.sbom)
            _insert_components(conn, entry.digest, entry.sbom, ids)
        return RecordedImage(entry.digest, True, frozenset(ids.values()), frozenset(new_ids))

    def record_failure(self, digest: str, source: str, error: str, now: datetime | None = None) -> None:
        """Note that `digest` could not be catalogued (kept for reports; a later catalog replaces it)."""
        row = {
            "digest": digest,
            "status": FAILED,
            "error": error,
            "source": source,
            "package_count": 0,
            "unknown_count": 0,
            "catalogued_at": aware_now(now),
            "tool_version": __version__,
        }
        with self._engine.begin() as conn:
            insert = dialect_insert(conn, images)
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[images.c.digest],
                    set_={"error": error, "catalogued_at": row["catalogued_at"]},
                    where=images.c.status == FAILED,
                ),
                [row],
            )

    def record_children(self, index_digest: str, children: Sequence[tuple[str, str | None]]) -> None:
        """An index and its platform manifests (digest, `os/arch[/variant]`): a workload running the index's
        digest runs the child catalogued for its platform."""
        rows = [{"index_digest": index_digest, "child_digest": d, "platform": p} for d, p in children]
        if not rows:
            return
        with self._engine.begin() as conn:
            conn.execute(dialect_insert(conn, image_children).on_conflict_do_nothing(), rows)

    def record_scan(
        self, digest: str, origin: str, findings: int, db_updated_at: datetime | None, now: datetime | None = None
    ) -> None:
        row = {
            "image_digest": digest,
            "scanned_at": aware_now(now),
            "origin": origin,
            "tool_version": __version__,
            "db_updated_at": db_updated_at,
            "findings": findings,
        }
        with self._engine.begin() as conn:
            conn.execute(sa.insert(scan_records), [row])

    def packages_by_id(self, ids: Iterable[int]) -> list[StoredPackage]:
        """The stored packages with these ids, rebuilt as the model objects matching reads."""
        found: list[StoredPackage] = []
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(ids))):
                found += (
                    stored_package(row._mapping)
                    for row in conn.execute(sa.select(packages).where(packages.c.id.in_(chunk)))
                )
        return found

    def package_ids_for_keys(self, keys: Iterable[tuple[str, str]]) -> set[int]:
        """Packages looked up under any of these advisory index keys (ecosystem, normalised name)."""
        wanted = sorted(set(keys))
        found: set[int] = set()
        with self._engine.connect() as conn:
            for chunk in chunks(wanted):
                ecosystems = {ecosystem for ecosystem, _ in chunk}
                names = {name for _, name in chunk}
                query = sa.select(package_keys.c.ecosystem, package_keys.c.name, package_keys.c.package_id).where(
                    package_keys.c.ecosystem.in_(ecosystems), package_keys.c.name.in_(names)
                )
                asked = set(chunk)
                found |= {int(row.package_id) for row in conn.execute(query) if (row.ecosystem, row.name) in asked}
        return found


def _image_package_ids(conn: Connection, digest: str) -> set[int]:
    query = sa.select(components.c.package_id).where(components.c.image_digest == digest)
    return {int(row.package_id) for row in conn.execute(query)}


def _image_row(entry: CatalogEntry, moment: datetime) -> dict[str, object]:
    sbom, metadata = entry.sbom, entry.metadata
    system = sbom.operating_system
    return {
        "digest": entry.digest,
        "status": CATALOGUED,
        "error": None,
        "source": entry.source,
        "media_type": metadata.media_type if metadata else None,
        "platform": str(metadata.platform) if metadata and metadata.platform else None,
        "created": metadata.config.created if metadata else None,
        "config_digest": metadata.config_digest if metadata else None,
        "config": json.dumps(_config_summary(metadata)) if metadata else None,
        "layers": json.dumps(_layers(entry)),
        "os_id": system.id if system else None,
        "os_version_id": system.version_id if system else None,
        "os_codename": system.version_codename if system else None,
        "os_pretty_name": system.pretty_name if system else None,
        "package_count": len(sbom.packages),
        "unknown_count": len(sbom.unknowns),
        "catalogued_at": moment,
        "tool_version": sbom.tool_version or __version__,
    }


def _config_summary(metadata: ImageMetadata) -> dict[str, object]:
    config = metadata.config
    return {
        "user": config.user,
        "entrypoint": list(config.entrypoint) if config.entrypoint is not None else None,
        "cmd": list(config.cmd) if config.cmd is not None else None,
        "working_dir": config.working_dir,
        "labels": dict(config.labels),
        "exposed_ports": list(config.exposed_ports),
    }


def _layers(entry: CatalogEntry) -> list[dict[str, object]]:
    if entry.metadata is not None:
        return [
            {"digest": layer.digest, "size": layer.size, "diff_id": layer.diff_id, "created_by": layer.created_by}
            for layer in entry.metadata.layers
        ]
    return [
        {"digest": layer.digest, "diff_id": layer.diff_id, "created_by": layer.created_by}
        for layer in entry.sbom.layers
    ]


def _insert_components(conn: Connection, digest: str, sbom: Sbom, ids: dict[str, int]) -> None:
    system = sbom.operating_system
    rows = [
        {
            "image_digest": digest,
            "package_id": ids[package_identity(package, system)],
            "layer_index": package.layer.index if package.layer else None,
            "layer_digest": package.layer.digest if package.layer else None,
            "path": package.locations[0].path if package.locations else None,
        }
        for package in sbom.packages
    ]
    if rows:
        conn.execute(sa.insert(components), rows)
