"""Recorded posture audits: write a run with its results; read each registry's newest run and its history."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.posture_record import RecordedResult
from regwarden.store.moments import aware, aware_now
from regwarden.store.posture_schema import posture_results, posture_runs


@dataclass(frozen=True)
class RunHeader:
    id: int
    recorded_at: datetime
    source: str
    profile: str


class PostureRunRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self, source: str, profile: str, tool_version: str, results: Sequence[RecordedResult], now: datetime
    ) -> int:
        """One run and all its results, in one transaction; returns the run's id."""
        run = {"recorded_at": aware_now(now), "source": source, "profile": profile, "tool_version": tool_version}
        with self._engine.begin() as conn:
            run_id = int(conn.execute(sa.insert(posture_runs).returning(posture_runs.c.id), [run]).scalar_one())
            rows = [_row(run_id, result) for result in results]
            if rows:
                conn.execute(sa.insert(posture_results), rows)
        return run_id

    def latest_runs(self) -> dict[str, RunHeader]:
        """registry name → the newest run that holds it."""
        newest = (
            sa.select(posture_results.c.registry_name, sa.func.max(posture_results.c.run_id).label("run_id"))
            .group_by(posture_results.c.registry_name)
            .subquery()
        )
        query = sa.select(newest.c.registry_name, posture_runs).join(posture_runs, posture_runs.c.id == newest.c.run_id)
        with self._engine.connect() as conn:
            return {str(row.registry_name): _header(row._mapping) for row in conn.execute(query)}

    def results(self, run_ids: Sequence[int], registry_name: str | None = None) -> list[RecordedResult]:
        query = sa.select(posture_results).where(posture_results.c.run_id.in_(list(run_ids)))
        if registry_name is not None:
            query = query.where(posture_results.c.registry_name == registry_name)
        with self._engine.connect() as conn:
            return [_result(row._mapping) for row in conn.execute(query.order_by(posture_results.c.id))]

    def history(self, registry_name: str, limit: int = 50) -> list[tuple[RunHeader, list[tuple[str, str, bool]]]]:
        """The registry's runs, newest first, each with its (severity, status, suppressed) results."""
        runs_query = (
            sa.select(posture_runs)
            .where(posture_runs.c.id.in_(sa.select(posture_results.c.run_id).where(_named(registry_name))))
            .order_by(posture_runs.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            headers = [_header(row._mapping) for row in conn.execute(runs_query)]
            query = sa.select(
                posture_results.c.run_id,
                posture_results.c.severity,
                posture_results.c.status,
                posture_results.c.suppressed,
            ).where(_named(registry_name), posture_results.c.run_id.in_([h.id for h in headers]))
            grouped: dict[int, list[tuple[str, str, bool]]] = {}
            for row in conn.execute(query):
                grouped.setdefault(int(row.run_id), []).append((row.severity, row.status, bool(row.suppressed)))
        return [(header, grouped.get(header.id, [])) for header in headers]


def _named(registry_name: str) -> sa.ColumnElement[bool]:
    return posture_results.c.registry_name == registry_name


def _row(run_id: int, result: RecordedResult) -> dict[str, object]:
    return {
        "run_id": run_id,
        "registry_name": result.registry_name,
        "registry_id": result.registry_id,
        "rule_id": result.rule_id,
        "title": result.title,
        "severity": result.severity,
        "status": result.status,
        "suppressed": result.suppressed,
        "message": result.message,
        "evidence": json.dumps(list(result.evidence), default=str),
        "note": result.note,
    }


def _header(mapping: Mapping[Any, Any]) -> RunHeader:
    recorded = mapping["recorded_at"]
    assert isinstance(recorded, datetime)
    return RunHeader(
        int(str(mapping["id"])), aware(recorded) or recorded, str(mapping["source"]), str(mapping["profile"])
    )


def _result(mapping: Mapping[Any, Any]) -> RecordedResult:
    return RecordedResult(
        registry_name=str(mapping["registry_name"]),
        registry_id=str(mapping["registry_id"]),
        rule_id=str(mapping["rule_id"]),
        title=str(mapping["title"]),
        severity=str(mapping["severity"]),
        status=str(mapping["status"]),
        suppressed=bool(mapping["suppressed"]),
        message=str(mapping["message"]),
        evidence=tuple(json.loads(str(mapping["evidence"]))),
        note=None if mapping["note"] is None else str(mapping["note"]),
    )
