"""What runs where: each cluster's workloads as of its last sync, with first-seen / last-seen / gone times.

A sync replaces a cluster's running set: workloads it saw are present (last_seen moves on), the others are gone
(gone_at is set), except in namespaces the sync could not read (a recorded gap), which keep their last state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.model.workload import ClusterSnapshot, EnvironmentDecision, Workload
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import cluster_syncs, workloads
from regwarden.store.moments import aware, aware_now
from regwarden.store.upsert import dialect_insert

NAMESPACE_GAP = "namespace/"


@dataclass(frozen=True)
class WorkloadSyncResult:
    cluster: str
    present: int
    started: tuple[int, ...]
    """Ids of workloads running now that were not before (new, or back after being gone)."""
    stopped: tuple[int, ...]
    running: tuple[int, ...] = ()
    """Ids of every workload the sync saw running."""


@dataclass(frozen=True)
class ClusterSync:
    cluster: str
    synced_at: datetime
    source: str
    workloads: int
    gaps: tuple[tuple[str, str], ...]


class WorkloadRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace_cluster(
        self,
        snapshot: ClusterSnapshot,
        decisions: Sequence[EnvironmentDecision],
        source: str,
        now: datetime | None = None,
    ) -> WorkloadSyncResult:
        """Record `snapshot` as the cluster's running set; `decisions[i]` is the environment of workload i."""
        moment = aware_now(now)
        rows = {identity(w): _row(w, d, moment) for w, d in zip(snapshot.workloads, decisions, strict=True)}
        unreadable = {g.scope.removeprefix(NAMESPACE_GAP) for g in snapshot.gaps if g.scope.startswith(NAMESPACE_GAP)}
        with self._engine.begin() as conn:
            before = _present(conn, snapshot.cluster)
            _upsert(conn, list(rows.values()))
            after = _ids(conn, list(rows))
            stopped = [wid for key, (wid, ns) in before.items() if key not in rows and ns not in unreadable]
            for chunk in chunks(stopped):
                conn.execute(sa.update(workloads).where(workloads.c.id.in_(chunk)).values(gone_at=moment))
            _record_sync(conn, snapshot, source, len(rows), moment)
        started = sorted(after[key] for key in rows if key not in before)
        return WorkloadSyncResult(
            snapshot.cluster, len(rows), tuple(started), tuple(sorted(stopped)), tuple(sorted(after.values()))
        )

    def clusters(self) -> list[ClusterSync]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(cluster_syncs).order_by(cluster_syncs.c.cluster))
            return [
                ClusterSync(
                    row.cluster,
                    aware(row.synced_at) or aware_now(),
                    row.source,
                    row.workloads,
                    tuple((gap["scope"], gap["reason"]) for gap in json.loads(row.gaps)),
                )
                for row in rows
            ]


def identity(workload: Workload) -> str:
    """What makes a workload row: where it runs, which container, and which digest (two during a rollout)."""
    fields = [
        workload.cluster,
        workload.namespace,
        workload.kind,
        workload.name,
        workload.container,
        workload.container_kind.value,
        workload.digest or workload.image,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def _row(workload: Workload, decision: EnvironmentDecision, moment: datetime) -> dict[str, object]:
    return {
        "identity": identity(workload),
        "cluster": workload.cluster,
        "namespace": workload.namespace,
        "kind": workload.kind,
        "name": workload.name,
        "container": workload.container,
        "container_kind": workload.container_kind.value,
        "image": workload.image,
        "digest": workload.digest,
        "image_id": workload.image_id,
        "digest_reason": workload.digest_reason,
        "owner_inferred": workload.owner_inferred,
        "labels": json.dumps(dict(workload.labels), sort_keys=True),
        "pods": workload.pods,
        "environment": decision.environment.value,
        "environment_rule": decision.rule,
        "first_seen": moment,
        "last_seen": moment,
        "gone_at": None,
    }


def _present(conn: Connection, cluster: str) -> dict[str, tuple[int, str]]:
    query = sa.select(workloads.c.identity, workloads.c.id, workloads.c.namespace).where(
        workloads.c.cluster == cluster, workloads.c.gone_at.is_(None)
    )
    return {str(row.identity): (int(row.id), str(row.namespace)) for row in conn.execute(query)}


def _upsert(conn: Connection, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    insert = dialect_insert(conn, workloads)
    refreshed = (
        "image",
        "image_id",
        "digest_reason",
        "owner_inferred",
        "labels",
        "pods",
        "environment",
        "environment_rule",
        "last_seen",
    )
    values: dict[str, object] = {name: insert.excluded[name] for name in refreshed}
    values["gone_at"] = None
    conn.execute(insert.on_conflict_do_update(index_elements=[workloads.c.identity], set_=values), rows)


def _ids(conn: Connection, identities: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(identities):
        query = sa.select(workloads.c.identity, workloads.c.id).where(workloads.c.identity.in_(chunk))
        found.update({str(row.identity): int(row.id) for row in conn.execute(query)})
    return found


def _record_sync(conn: Connection, snapshot: ClusterSnapshot, source: str, count: int, moment: datetime) -> None:
    gaps = json.dumps([{"scope": gap.scope, "reason": gap.reason} for gap in snapshot.gaps])
    row = {"cluster": snapshot.cluster, "synced_at": moment, "source": source, "workloads": count, "gaps": gaps}
    insert = dialect_insert(conn, cluster_syncs)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[cluster_syncs.c.cluster],
            set_={name: insert.excluded[name] for name in ("synced_at", "source", "workloads", "gaps")},
        ),
        [row],
    )
