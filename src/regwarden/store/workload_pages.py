"""Running workloads, filtered and paged in SQL for the server's workload list and page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.store.inventory_schema import workloads


@dataclass(frozen=True)
class WorkloadFilter:
    cluster: str | None = None
    namespace: str | None = None
    environment: str | None = None
    text: str | None = None
    """Part of the workload's name or image."""


class WorkloadQueries:
    """Running workloads, filtered and paged in SQL (two thousand rows or two hundred thousand alike)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(self, where: WorkloadFilter, limit: int, offset: int) -> tuple[int, list[dict[str, object]]]:
        condition = _workload_condition(where)
        count = sa.select(sa.func.count()).select_from(workloads).where(condition)
        query = (
            sa.select(workloads)
            .where(condition)
            .order_by(workloads.c.environment.desc(), workloads.c.cluster, workloads.c.namespace, workloads.c.name)
            .limit(limit)
            .offset(offset)
        )
        with self._engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
            return total, [dict(row._mapping) for row in conn.execute(query)]

    def one(self, workload_id: int) -> dict[str, object] | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(workloads).where(workloads.c.id == workload_id)).first()
        return None if row is None else dict(row._mapping)


def _workload_condition(where: WorkloadFilter) -> sa.ColumnElement[bool]:
    parts: list[sa.ColumnElement[bool]] = [workloads.c.gone_at.is_(None)]
    if where.cluster:
        parts.append(workloads.c.cluster == where.cluster)
    if where.namespace:
        parts.append(workloads.c.namespace == where.namespace)
    if where.environment:
        parts.append(workloads.c.environment == where.environment)
    if where.text:
        pattern = f"%{where.text.lower()}%"
        parts.append(
            sa.or_(sa.func.lower(workloads.c.name).like(pattern), sa.func.lower(workloads.c.image).like(pattern))
        )
    return sa.and_(*parts)
