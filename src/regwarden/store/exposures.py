"""Exposures: production workloads running an image with an open, untriaged finding — and the events they raise.

`refresh` recomputes the exposures inside a scope (some vulnerabilities, some workloads, or some digests),
opens the new ones, closes the ones that ended, and writes one event per opening and closing together with its
outbox rows, in one transaction: an event is never lost between the change and its delivery.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.inventory.events import NewEvent, exposure_event
from regwarden.model.inventory import ComponentHit, Exposure
from regwarden.store.chunks import chunks
from regwarden.store.events import insert_events
from regwarden.store.impact import running_workload
from regwarden.store.inventory_schema import (
    components,
    exposures,
    image_children,
    package_findings,
    packages,
    workloads,
)
from regwarden.store.moments import aware_now
from regwarden.store.upsert import dialect_insert

PRODUCTION = "production"


@dataclass(frozen=True)
class ExposureScope:
    """Which exposures to recompute: those of these vulnerabilities, workloads or image digests."""

    vuln_ids: frozenset[str] | None = None
    workload_ids: frozenset[int] | None = None
    digests: frozenset[str] | None = None


Suppressed = Callable[[Exposure], bool]
"""Whether triage takes an exposure out (decided by the caller, who knows the triage decisions)."""


@dataclass(frozen=True)
class ExposureChanges:
    opened: tuple[Exposure, ...]
    closed: tuple[tuple[int, str, int, str], ...]
    events: int


class ExposureRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def candidates(self, scope: ExposureScope) -> list[Exposure]:
        """Exposures the scope has now, before triage (the caller filters with `suppressed`)."""
        with self._engine.connect() as conn:
            return _candidates(conn, scope)

    def refresh(
        self,
        scope: ExposureScope,
        current: Sequence[Exposure],
        describe: Callable[[Exposure, bool], NewEvent] = exposure_event,
        *,
        endpoints: Sequence[str] = (),
        now: datetime | None = None,
    ) -> ExposureChanges:
        """Make the open exposures inside `scope` exactly `current`; one event per change, queued to `endpoints`."""
        moment = aware_now(now)
        wanted = {exposure.key: exposure for exposure in current}
        with self._engine.begin() as conn:
            open_now = _open_keys(conn, scope)
            opened = [wanted[key] for key in sorted(wanted) if key not in open_now]
            closed = sorted(open_now - wanted.keys())
            _open(conn, opened, moment)
            _close(conn, closed, moment)
            ended = _describe_closed(conn, closed)
            new_events = [describe(e, True) for e in opened] + [describe(e, False) for e in ended]
            written = insert_events(conn, new_events, endpoints, moment)
        return ExposureChanges(tuple(opened), tuple(closed), written)


def _candidates(conn: Connection, scope: ExposureScope) -> list[Exposure]:
    found: dict[tuple[int, str, int, str], Exposure] = {}
    for direct in (True, False):
        for row in conn.execute(_candidate_query(scope, direct=direct)):
            exposure = _exposure(row._mapping)
            found.setdefault(exposure.key, exposure)
    return [found[key] for key in sorted(found)]


def _candidate_query(scope: ExposureScope, *, direct: bool) -> sa.Select[tuple[object, ...]]:
    """Production workloads → image digest (directly, or through an index) → components → open findings."""
    if direct:
        image_digest = workloads.c.digest
        base = sa.select(workloads, image_digest.label("image_digest"))
    else:
        image_digest = image_children.c.child_digest
        base = sa.select(workloads, image_digest.label("image_digest")).join(
            image_children, image_children.c.index_digest == workloads.c.digest
        )
    query = (
        base.add_columns(
            components.c.package_id,
            components.c.layer_index,
            packages.c.name.label("package_name"),
            packages.c.version,
            packages.c.type,
            packages.c.purl,
            package_findings.c.vuln_id,
            package_findings.c.fixed,
            package_findings.c.severity,
        )
        .join(components, components.c.image_digest == image_digest)
        .join(package_findings, package_findings.c.package_id == components.c.package_id)
        .join(packages, packages.c.id == components.c.package_id)
        .where(
            workloads.c.gone_at.is_(None),
            workloads.c.environment == PRODUCTION,
            package_findings.c.resolved_at.is_(None),
        )
    )
    if scope.vuln_ids is not None:
        query = query.where(package_findings.c.vuln_id.in_(sorted(scope.vuln_ids)))
    if scope.workload_ids is not None:
        query = query.where(workloads.c.id.in_(sorted(scope.workload_ids)))
    if scope.digests is not None:
        query = query.where(image_digest.in_(sorted(scope.digests)))
    return query


def _exposure(mapping: sa.RowMapping) -> Exposure:
    layer = mapping["layer_index"]
    component = ComponentHit(
        digest=str(mapping["image_digest"]),
        image=str(mapping["image"]),
        package=str(mapping["package_name"]),
        version=str(mapping["version"]),
        type=str(mapping["type"]),
        purl=str(mapping["purl"]),
        layer_index=int(str(layer)) if layer is not None else None,
        fixed=tuple(json.loads(str(mapping["fixed"]))),
        severity=str(mapping["severity"]),
    )
    return Exposure(
        int(str(mapping["id"])),
        running_workload(mapping),
        str(mapping["vuln_id"]),
        int(str(mapping["package_id"])),
        component,
    )


def _open_keys(conn: Connection, scope: ExposureScope) -> set[tuple[int, str, int, str]]:
    query = sa.select(exposures.c.workload_id, exposures.c.vuln_id, exposures.c.package_id, exposures.c.digest).where(
        exposures.c.closed_at.is_(None)
    )
    if scope.vuln_ids is not None:
        query = query.where(exposures.c.vuln_id.in_(sorted(scope.vuln_ids)))
    if scope.workload_ids is not None:
        query = query.where(exposures.c.workload_id.in_(sorted(scope.workload_ids)))
    if scope.digests is not None:
        query = query.where(exposures.c.digest.in_(sorted(scope.digests)))
    return {(int(r.workload_id), str(r.vuln_id), int(r.package_id), str(r.digest)) for r in conn.execute(query)}


def _open(conn: Connection, opened: Sequence[Exposure], moment: datetime) -> None:
    """Insert the new exposures, and reopen the closed rows with the same key, in one batched statement."""
    rows = [
        {"workload_id": w, "vuln_id": v, "package_id": p, "digest": d, "opened_at": moment, "closed_at": None}
        for w, v, p, d in (exposure.key for exposure in opened)
    ]
    if rows:
        insert = dialect_insert(conn, exposures)
        reopen = {"opened_at": insert.excluded.opened_at, "closed_at": None}
        conn.execute(insert.on_conflict_do_update(index_elements=list(exposures.primary_key), set_=reopen), rows)


def _close(conn: Connection, closed: Iterable[tuple[int, str, int, str]], moment: datetime) -> None:
    """One UPDATE executed for every key (a batch: the driver pipelines it), not one round trip per key."""
    rows = [{"w": w, "v": v, "p": p, "d": d} for w, v, p, d in closed]
    if rows:
        key = [exposures.c[name] == sa.bindparam(param) for name, param in _KEY_PARAMS]
        conn.execute(sa.update(exposures).where(*key).values(closed_at=moment), rows)


_KEY_PARAMS = (("workload_id", "w"), ("vuln_id", "v"), ("package_id", "p"), ("digest", "d"))


def _describe_closed(conn: Connection, closed: Sequence[tuple[int, str, int, str]]) -> list[Exposure]:
    """The closed exposures as they were: the workload row (maybe gone now) and the package."""
    if not closed:
        return []
    workload_rows = {}
    for chunk in chunks(sorted({key[0] for key in closed})):
        for row in conn.execute(sa.select(workloads).where(workloads.c.id.in_(chunk))):
            workload_rows[int(row.id)] = running_workload(row._mapping)
    package_rows = {}
    for chunk in chunks(sorted({key[2] for key in closed})):
        for row in conn.execute(sa.select(packages).where(packages.c.id.in_(chunk))):
            package_rows[int(row.id)] = row
    ended = []
    for workload_id, vuln_id, package_id, digest in closed:
        package = package_rows[package_id]
        workload = workload_rows[workload_id]
        component = ComponentHit(digest, workload.image, package.name, package.version, package.type, package.purl)
        ended.append(Exposure(workload_id, workload, vuln_id, package_id, component))
    return ended
