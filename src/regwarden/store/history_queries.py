"""Read queries for `history`: repositories by name, the digests a tag pointed at or a repository held, what the
catalog knows of each digest (through an index when the digest is one), and each image's open findings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import (
    components,
    image_children,
    image_locations,
    images,
    package_findings,
    packages,
    registries,
    repositories,
    tag_history,
)
from regwarden.store.moments import aware, aware_now


@dataclass(frozen=True)
class RepositoryRef:
    id: int
    registry: str
    name: str


@dataclass(frozen=True)
class HeldDigest:
    """A digest a tag pointed at (from `seen_at` until `until`) or a repository held (first seen at `seen_at`)."""

    digest: str
    seen_at: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class ImageFacts:
    """What the catalog holds for one image digest."""

    digest: str
    status: str
    error: str | None
    created: str | None
    platform: str | None
    packages: int


@dataclass(frozen=True)
class OpenFinding:
    """An open finding of a package an image holds."""

    vuln_id: str
    ids: tuple[str, ...]
    package_type: str
    package: str
    version: str
    severity: str
    fixed: tuple[str, ...]


class HistoryQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def repositories_named(self, name: str) -> list[RepositoryRef]:
        """Every repository called exactly `name`, in whichever registry, sorted by registry."""
        query = (
            sa.select(repositories.c.id, registries.c.host, repositories.c.name)
            .join(registries, registries.c.id == repositories.c.registry_id)
            .where(repositories.c.name == name)
            .order_by(registries.c.host)
        )
        with self._engine.connect() as conn:
            return [RepositoryRef(int(row.id), str(row.host), str(row.name)) for row in conn.execute(query)]

    def tag_digests(self, repository_id: int, tag: str) -> list[HeldDigest]:
        """The digests `tag` pointed at, oldest first (a digest the tag came back to appears again)."""
        query = (
            sa.select(tag_history.c.digest, tag_history.c.first_seen, tag_history.c.moved_at)
            .where(tag_history.c.repository_id == repository_id, tag_history.c.tag == tag)
            .order_by(tag_history.c.first_seen, tag_history.c.id)
        )
        with self._engine.connect() as conn:
            return [
                HeldDigest(str(row.digest), aware_now(aware(row.first_seen)), aware(row.moved_at))
                for row in conn.execute(query)
            ]

    def repository_digests(self, repository_id: int) -> list[HeldDigest]:
        """Every digest the repository held (deleted ones included), in the order they were first seen."""
        query = (
            sa.select(image_locations.c.digest, image_locations.c.first_seen)
            .where(image_locations.c.repository_id == repository_id)
            .order_by(image_locations.c.first_seen, image_locations.c.digest)
        )
        with self._engine.connect() as conn:
            return [HeldDigest(str(row.digest), aware_now(aware(row.first_seen))) for row in conn.execute(query)]

    def image_facts(self, digests: Iterable[str]) -> dict[str, ImageFacts]:
        """digest → its catalog row, for the digests that have one."""
        found: dict[str, ImageFacts] = {}
        columns = (images.c.digest, images.c.status, images.c.error, images.c.created, images.c.platform)
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(digests))):
                query = sa.select(*columns, images.c.package_count).where(images.c.digest.in_(chunk))
                for row in conn.execute(query):
                    found[str(row.digest)] = ImageFacts(
                        str(row.digest), str(row.status), row.error, row.created, row.platform, int(row.package_count)
                    )
        return found

    def children(self, index_digests: Iterable[str]) -> dict[str, list[str]]:
        """index digest → the platform manifests recorded for it, sorted by platform then digest."""
        found: dict[str, list[tuple[str, str]]] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(index_digests))):
                query = sa.select(image_children).where(image_children.c.index_digest.in_(chunk))
                for row in conn.execute(query):
                    found.setdefault(str(row.index_digest), []).append((row.platform or "", str(row.child_digest)))
        return {index: [child for _, child in sorted(pairs)] for index, pairs in found.items()}

    def open_findings(self, digest: str) -> list[OpenFinding]:
        """The open findings of image `digest`: one per vulnerability and package."""
        query = (
            sa.select(
                package_findings.c.vuln_id,
                package_findings.c.ids,
                package_findings.c.severity,
                package_findings.c.fixed,
                packages.c.type,
                packages.c.name,
                packages.c.version,
            )
            .join(components, components.c.package_id == package_findings.c.package_id)
            .join(packages, packages.c.id == package_findings.c.package_id)
            .where(components.c.image_digest == digest, package_findings.c.resolved_at.is_(None))
        )
        with self._engine.connect() as conn:
            rows = {
                (row.vuln_id, row.type, row.name, row.version): OpenFinding(
                    str(row.vuln_id),
                    tuple(json.loads(row.ids)),
                    str(row.type),
                    str(row.name),
                    str(row.version),
                    str(row.severity),
                    tuple(json.loads(row.fixed)),
                )
                for row in conn.execute(query)
            }
        return [rows[key] for key in sorted(rows)]
