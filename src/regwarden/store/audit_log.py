"""The audit trail: append-only, newest first when read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.access import AuditEntry
from regwarden.store.access_schema import audit_log
from regwarden.store.moments import aware, aware_now


class AuditLogRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(
        self,
        actor: str,
        action: str,
        target: str,
        detail: Mapping[str, object],
        *,
        client: str | None = None,
        now: datetime | None = None,
    ) -> None:
        row = {
            "at": aware_now(now),
            "actor": actor[:255],
            "action": action,
            "target": target,
            "detail": json.dumps(dict(detail), sort_keys=True, default=str),
            "client": client[:64] if client else None,
        }
        with self._engine.begin() as conn:
            conn.execute(sa.insert(audit_log), [row])

    def count(self, *, action: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(audit_log)
        if action:
            query = query.where(audit_log.c.action == action)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def recent(self, *, action: str | None = None, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
        if action:
            query = query.where(audit_log.c.action == action)
        with self._engine.connect() as conn:
            return [
                AuditEntry(
                    id=int(row.id),
                    at=aware(row.at) or row.at,
                    actor=str(row.actor),
                    action=str(row.action),
                    target=str(row.target),
                    detail=json.loads(row.detail),
                    client=row.client,
                )
                for row in conn.execute(query)
            ]
