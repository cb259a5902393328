"""Triage decisions, append-only: who said what about which vulnerability, where, and until when."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.inventory import TriageDecision, TriageScope, TriageState
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import triage
from regwarden.store.moments import aware, aware_now


class TriageRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, decision: TriageDecision) -> None:
        row = {
            "vuln_id": decision.vuln_id,
            "scope": decision.scope.value,
            "target": decision.target,
            "package": decision.package,
            "state": decision.state.value,
            "reason": decision.reason,
            "expires": decision.expires,
            "author": decision.author,
            "created_at": aware_now(decision.created_at),
        }
        with self._engine.begin() as conn:
            conn.execute(sa.insert(triage), [row])

    def decisions(self, vuln_ids: Iterable[str] | None = None) -> list[TriageDecision]:
        """Every decision (history included), oldest first; only those for `vuln_ids` when given."""
        with self._engine.connect() as conn:
            if vuln_ids is None:
                rows = list(conn.execute(sa.select(triage).order_by(triage.c.id)))
            else:
                rows = []
                for chunk in chunks(sorted(set(vuln_ids))):
                    rows += conn.execute(sa.select(triage).where(triage.c.vuln_id.in_(chunk)))
                rows.sort(key=lambda row: row.id)
        return [
            TriageDecision(
                vuln_id=row.vuln_id,
                scope=TriageScope(row.scope),
                target=row.target,
                state=TriageState(row.state),
                reason=row.reason,
                author=row.author,
                created_at=aware(row.created_at) or aware_now(),
                package=row.package,
                expires=row.expires,
            )
            for row in rows
        ]
