"""Whole-inventory reads for the server's risk summaries: every image, every open finding by package, every
place and every running workload, each in one streamed query (service/risk_summary.py assembles them).

They are meant for a background refresh, not a request: each reads a whole table (or the part that is open).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.inventory import Event
from regwarden.store.inventory_schema import (
    components,
    events,
    exposures,
    image_children,
    image_locations,
    images,
    package_findings,
    packages,
    registries,
    repositories,
    tag_history,
    workloads,
)
from regwarden.store.moments import aware, aware_now

_BATCH = 5000


@dataclass(frozen=True)
class ImageRow:
    digest: str
    status: str
    created: str | None
    catalogued_at: datetime
    packages: int


@dataclass(frozen=True)
class PackageFinding:
    package_id: int
    package: str
    vuln_id: str
    severity: str
    fixable: bool
    summary: str | None
    cvss_score: float | None
    first_seen: datetime


@dataclass(frozen=True)
class PlaceRow:
    digest: str
    registry: str
    repository: str
    tag: str | None


@dataclass(frozen=True)
class RunningRow:
    digest: str
    environment: str


class DashboardQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def events(self, kind: str | None, limit: int, offset: int) -> tuple[int, list[Event]]:
        return events_page(self._engine, kind, limit, offset)

    def finding_spans(self) -> Iterator[tuple[str, datetime, datetime | None]]:
        """(severity, first_seen, resolved_at) of every package finding, open or resolved: the trend's input."""
        query = sa.select(package_findings.c.severity, package_findings.c.first_seen, package_findings.c.resolved_at)
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=_BATCH).execute(query):
                yield str(row.severity), aware(row.first_seen) or row.first_seen, aware(row.resolved_at)

    def exposed_workloads(self, limit: int) -> tuple[int, list[tuple[dict[str, object], int, str]]]:
        """Production workloads with open exposures now: how many, and the `limit` most exposed
        (workload row, open exposures, the worst vulnerability id by name order)."""
        counted = (
            sa.select(
                exposures.c.workload_id, sa.func.count().label("open"), sa.func.min(exposures.c.vuln_id).label("vuln")
            )
            .where(exposures.c.closed_at.is_(None))
            .group_by(exposures.c.workload_id)
            .subquery()
        )
        query = (
            sa.select(workloads, counted.c.open, counted.c.vuln)
            .join(counted, counted.c.workload_id == workloads.c.id)
            .where(workloads.c.gone_at.is_(None))
            .order_by(counted.c.open.desc(), workloads.c.cluster, workloads.c.name)
        )
        with self._engine.connect() as conn:
            total = int(conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())
            rows = [(dict(row._mapping), int(row.open), str(row.vuln)) for row in conn.execute(query.limit(limit))]
        return total, rows

    def image_findings(self, digest: str) -> list[StoredFinding]:
        """Every open finding of image `digest`, one per vulnerability and package."""
        return image_findings(self._engine, digest)

    def image(self, digest: str) -> dict[str, object] | None:
        """The catalog row of one image (every column), or None."""
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(images).where(images.c.digest == digest)).first()
        return None if row is None else {**row._mapping, "catalogued_at": aware(row.catalogued_at)}

    def images(self) -> Iterator[ImageRow]:
        query = sa.select(
            images.c.digest, images.c.status, images.c.created, images.c.catalogued_at, images.c.package_count
        )
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=_BATCH).execute(query):
                yield ImageRow(
                    row.digest, row.status, row.created, aware_now(aware(row.catalogued_at)), row.package_count
                )

    def open_findings(self) -> Iterator[PackageFinding]:
        query = sa.select(
            package_findings.c.package_id,
            packages.c.name,
            package_findings.c.vuln_id,
            package_findings.c.severity,
            package_findings.c.fixed,
            package_findings.c.summary,
            package_findings.c.cvss_score,
            package_findings.c.first_seen,
        ).join(packages, packages.c.id == package_findings.c.package_id)
        query = query.where(package_findings.c.resolved_at.is_(None))
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=_BATCH).execute(query):
                fixable = bool(json.loads(row.fixed))
                yield PackageFinding(
                    int(row.package_id), row.name, row.vuln_id, row.severity, fixable, row.summary, row.cvss_score,
                    aware_now(aware(row.first_seen)),
                )  # fmt: skip

    def holders(self) -> Iterator[tuple[str, int]]:
        """(image digest, package id) of every component whose package has an open finding."""
        vulnerable = sa.select(package_findings.c.package_id).where(package_findings.c.resolved_at.is_(None))
        query = sa.select(components.c.image_digest, components.c.package_id).where(
            components.c.package_id.in_(vulnerable.distinct())
        )
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=_BATCH).execute(query):
                yield str(row.image_digest), int(row.package_id)

    def places(self) -> Iterator[PlaceRow]:
        """Every current place of every digest, one row per current tag (tag None when untagged there)."""
        tags = (
            sa.select(tag_history.c.repository_id, tag_history.c.digest, tag_history.c.tag)
            .where(tag_history.c.moved_at.is_(None))
            .subquery()
        )
        query = (
            sa.select(image_locations.c.digest, registries.c.host, repositories.c.name, tags.c.tag)
            .join(repositories, repositories.c.id == image_locations.c.repository_id)
            .join(registries, registries.c.id == repositories.c.registry_id)
            .outerjoin(
                tags, sa.and_(tags.c.repository_id == repositories.c.id, tags.c.digest == image_locations.c.digest)
            )
            .where(image_locations.c.gone_at.is_(None))
            .order_by(registries.c.host, repositories.c.name, tags.c.tag)
        )
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=_BATCH).execute(query):
                yield PlaceRow(row.digest, row.host, row.name, row.tag)

    def index_children(self) -> dict[str, list[str]]:
        with self._engine.connect() as conn:
            found: dict[str, list[str]] = {}
            for row in conn.execute(sa.select(image_children.c.index_digest, image_children.c.child_digest)):
                found.setdefault(str(row.index_digest), []).append(str(row.child_digest))
        return found

    def running(self) -> list[RunningRow]:
        query = sa.select(workloads.c.digest, workloads.c.environment).where(
            workloads.c.gone_at.is_(None), workloads.c.digest.is_not(None)
        )
        with self._engine.connect() as conn:
            return [RunningRow(str(row.digest), str(row.environment)) for row in conn.execute(query)]


def events_page(engine: Engine, kind: str | None, limit: int, offset: int) -> tuple[int, list[Event]]:
    """The newest events first (a page of them), and how many there are."""
    condition = events.c.kind == kind if kind else sa.true()
    query = sa.select(events).where(condition).order_by(events.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(events).where(condition)).scalar_one())
        rows = list(conn.execute(query))
    return total, [
        Event(
            int(row.id),
            str(row.kind),
            aware(row.created_at) or row.created_at,
            str(row.summary),
            json.loads(row.payload),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class StoredFinding:
    """One open finding of one package in an image, with everything a report renders."""

    vuln_id: str
    ids: tuple[str, ...]
    package_name: str
    package_version: str
    package_purl: str
    severity: str
    unrated: bool
    cvss_score: float | None
    fixed: tuple[str, ...]
    summary: str | None
    evidence: tuple[dict[str, object], ...]


def image_findings(engine: Engine, digest: str) -> list[StoredFinding]:
    query = (
        sa.select(package_findings, packages.c.name, packages.c.version, packages.c.purl)
        .join(components, components.c.package_id == package_findings.c.package_id)
        .join(packages, packages.c.id == package_findings.c.package_id)
        .where(components.c.image_digest == digest, package_findings.c.resolved_at.is_(None))
        .order_by(package_findings.c.vuln_id, packages.c.name, packages.c.version)
    )
    found: dict[tuple[str, str, str, str], StoredFinding] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            key = (row.vuln_id, row.name, row.version, row.purl)
            found.setdefault(key, StoredFinding(
                row.vuln_id, tuple(json.loads(row.ids)), row.name, row.version, row.purl, row.severity,
                bool(row.unrated), row.cvss_score, tuple(json.loads(row.fixed)), row.summary,
                tuple(json.loads(row.evidence)),
            ))  # fmt: skip
    return list(found.values())
