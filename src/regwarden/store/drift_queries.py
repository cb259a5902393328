"""Read queries for `drift`: the running workloads, the synced registries and where they hold running digests,
index/platform-manifest links, tag histories, catalog and scan facts, and fixable open findings of images.

Every query starts from the running digests (a cluster's worth), never from the whole catalog.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.inventory import RunningWorkload
from regwarden.store.chunks import chunks
from regwarden.store.history_queries import OpenFinding
from regwarden.store.inventory_schema import (
    components,
    image_children,
    image_locations,
    images,
    package_findings,
    packages,
    registries,
    repositories,
    scan_records,
    tag_history,
    workloads,
)
from regwarden.store.moments import aware, aware_now


@dataclass(frozen=True)
class RunningRow:
    workload: RunningWorkload
    """Its `digest` is empty when the cluster did not report one (see `digest_reason`)."""
    digest: str | None
    digest_reason: str | None


@dataclass(frozen=True)
class HeldAt:
    """A registry repository that holds (or held, until `gone_at`) a digest."""

    registry: str
    repository: str
    gone_at: datetime | None


@dataclass(frozen=True)
class TagPointer:
    """One tag-history fact: `tag` of `registry/repository` pointed at `digest` until `moved_at` (None: still)."""

    registry: str
    repository: str
    tag: str
    digest: str
    moved_at: datetime | None


@dataclass(frozen=True)
class ScanState:
    """A catalog row and its newest scan record."""

    digest: str
    status: str
    error: str | None
    catalogued_at: datetime
    db_updated_at: datetime | None
    """The advisory database's newest update when the image was last scanned (None: empty database, or never)."""


class DriftQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def running(self) -> list[RunningRow]:
        """Every workload running as of its cluster's last sync."""
        query = sa.select(workloads).where(workloads.c.gone_at.is_(None)).order_by(workloads.c.id)
        with self._engine.connect() as conn:
            return [_running_row(row._mapping) for row in conn.execute(query)]

    def synced_registries(self) -> set[str]:
        query = sa.select(registries.c.host).where(registries.c.last_synced_at.is_not(None))
        with self._engine.connect() as conn:
            return {str(row.host) for row in conn.execute(query)}

    def held_at(self, digests: Iterable[str]) -> dict[str, list[HeldAt]]:
        """digest → every repository that holds it or held it (whatever registry, synced or not)."""
        found: dict[str, list[HeldAt]] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(digests))):
                query = (
                    sa.select(
                        image_locations.c.digest, image_locations.c.gone_at, registries.c.host, repositories.c.name
                    )
                    .join(repositories, repositories.c.id == image_locations.c.repository_id)
                    .join(registries, registries.c.id == repositories.c.registry_id)
                    .where(image_locations.c.digest.in_(chunk))
                )
                for row in conn.execute(query):
                    found.setdefault(str(row.digest), []).append(HeldAt(row.host, row.name, aware(row.gone_at)))
        return found

    def links(self, digests: Iterable[str]) -> list[tuple[str, str]]:
        """(index digest, platform manifest digest) pairs where either side is one of `digests`."""
        pairs: set[tuple[str, str]] = set()
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(digests))):
                query = sa.select(image_children.c.index_digest, image_children.c.child_digest).where(
                    sa.or_(image_children.c.index_digest.in_(chunk), image_children.c.child_digest.in_(chunk))
                )
                pairs |= {(str(row.index_digest), str(row.child_digest)) for row in conn.execute(query)}
        return sorted(pairs)

    def tag_pointers(self, repository_names: Iterable[str], tags: Iterable[str]) -> list[TagPointer]:
        """The tag history of these tags in repositories of these names (the caller picks the exact pairs)."""
        found: list[TagPointer] = []
        names = sorted(set(repository_names))
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(tags))):
                query = (
                    sa.select(tag_history, registries.c.host, repositories.c.name)
                    .join(repositories, repositories.c.id == tag_history.c.repository_id)
                    .join(registries, registries.c.id == repositories.c.registry_id)
                    .where(tag_history.c.tag.in_(chunk), repositories.c.name.in_(names))
                    .order_by(tag_history.c.first_seen, tag_history.c.id)
                )
                found += (
                    TagPointer(row.host, row.name, row.tag, row.digest, aware(row.moved_at))
                    for row in conn.execute(query)
                )
        return found

    def scan_states(self, digests: Iterable[str]) -> dict[str, ScanState]:
        """digest → its catalog row and newest scan record, for the digests the catalog has a row for."""
        found: dict[str, ScanState] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(digests))):
                newest: dict[str, datetime | None] = {}
                scans = (
                    sa.select(scan_records.c.image_digest, scan_records.c.db_updated_at)
                    .where(scan_records.c.image_digest.in_(chunk))
                    .order_by(scan_records.c.scanned_at, scan_records.c.id)
                )
                for scan in conn.execute(scans):
                    newest[str(scan.image_digest)] = aware(scan.db_updated_at)
                rows = sa.select(images.c.digest, images.c.status, images.c.error, images.c.catalogued_at)
                for row in conn.execute(rows.where(images.c.digest.in_(chunk))):
                    digest = str(row.digest)
                    found[digest] = ScanState(
                        digest, str(row.status), row.error, aware_now(aware(row.catalogued_at)), newest.get(digest)
                    )
        return found

    def fixable_findings(self, digests: Iterable[str], severities: Iterable[str]) -> list[tuple[str, OpenFinding]]:
        """(image digest, finding) for open findings of these severities that name a fixed version."""
        wanted = sorted(set(severities))
        found: dict[tuple[str, str, str, str, str], OpenFinding] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(digests))):
                for row in conn.execute(_findings_query(chunk, wanted)):
                    fixed = tuple(json.loads(row.fixed))
                    if fixed:
                        key = (row.image_digest, row.vuln_id, row.type, row.name, row.version)
                        found[key] = OpenFinding(
                            row.vuln_id,
                            tuple(json.loads(row.ids)),
                            row.type,
                            row.name,
                            row.version,
                            row.severity,
                            fixed,
                        )
        return [(key[0], found[key]) for key in sorted(found)]


def _findings_query(digests: list[str], severities: list[str]) -> sa.Select[tuple[object, ...]]:
    return (
        sa.select(
            components.c.image_digest,
            package_findings.c.vuln_id,
            package_findings.c.ids,
            package_findings.c.severity,
            package_findings.c.fixed,
            packages.c.type,
            packages.c.name,
            packages.c.version,
        )
        .join(package_findings, package_findings.c.package_id == components.c.package_id)
        .join(packages, packages.c.id == components.c.package_id)
        .where(
            components.c.image_digest.in_(digests),
            package_findings.c.resolved_at.is_(None),
            package_findings.c.severity.in_(severities),
        )
    )


def _running_row(mapping: sa.RowMapping) -> RunningRow:
    digest = mapping["digest"]
    workload = RunningWorkload(
        cluster=str(mapping["cluster"]),
        namespace=str(mapping["namespace"]),
        kind=str(mapping["kind"]),
        name=str(mapping["name"]),
        container=str(mapping["container"]),
        image=str(mapping["image"]),
        digest=str(digest) if digest is not None else "",
        environment=str(mapping["environment"]),
        environment_rule=str(mapping["environment_rule"]),
        pods=int(str(mapping["pods"])),
    )
    reason = mapping["digest_reason"]
    return RunningRow(workload, str(digest) if digest is not None else None, str(reason) if reason else None)
