"""The quarantine worker's records (quarantine_schema.py): receive a webhook, claim due checks, record decisions,
reports and retries, list them.

A check is due when it is not reported, its next attempt time has come, and no unexpired claim holds it. Claiming
is one conditional UPDATE, so two workers on one database never take the same check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

from regwarden.model.quarantine import QuarantineCheck
from regwarden.store.moments import aware, aware_now
from regwarden.store.quarantine_schema import quarantine_checks as table
from regwarden.store.upsert import dialect_insert

PENDING, DECIDED, REPORTED = "pending", "decided", "reported"


@dataclass(frozen=True)
class Received:
    check: QuarantineCheck
    new: bool
    """False when the webhook named a manifest already recorded (a redelivery, or the same digest pushed again)."""


class QuarantineRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def receive(
        self,
        registry: str,
        repository: str,
        digest: str,
        tag: str | None,
        event_id: str | None,
        now: datetime | None = None,
    ) -> Received:
        """Record a manifest to check (once per registry, repository and digest)."""
        moment = aware_now(now)
        row = {
            "registry": registry,
            "repository": repository,
            "digest": digest,
            "tag": tag,
            "event_id": event_id,
            "status": PENDING,
            "attempts": 0,
            "received_at": moment,
            "next_attempt_at": moment,
        }
        with self._engine.begin() as conn:
            # RETURNING, not rowcount: psycopg reports -1 for any INSERT … ON CONFLICT DO NOTHING.
            insert = dialect_insert(conn, table).on_conflict_do_nothing().returning(table.c.id)
            new = conn.execute(insert, [row]).first() is not None
            found = conn.execute(sa.select(table).where(*_manifest(registry, repository, digest))).one()
        return Received(_check(found, moment), new)

    def due(self, now: datetime | None = None, limit: int = 20) -> list[QuarantineCheck]:
        """Checks a worker may take now, oldest first."""
        moment = aware_now(now)
        query = (
            sa.select(table)
            .where(table.c.status != REPORTED, table.c.next_attempt_at <= moment, _unclaimed(moment))
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_check(row, moment) for row in conn.execute(query)]

    def claim(self, check_id: int, ttl: timedelta, now: datetime | None = None) -> bool:
        """Take a due check for `ttl`; False when another worker took it first."""
        moment = aware_now(now)
        update = (
            sa.update(table)
            .where(table.c.id == check_id, table.c.status != REPORTED, _unclaimed(moment))
            .values(claimed_until=moment + ttl, attempts=table.c.attempts + 1)
        )
        with self._engine.begin() as conn:
            return bool(conn.execute(update).rowcount)

    def record_decision(
        self, check_id: int, state: str, reasons: Sequence[str], details: str, now: datetime | None = None
    ) -> None:
        """The gate decided: kept even if telling ACR fails, so a retry only reports."""
        values = {"status": DECIDED, "state": state, "reasons": json.dumps(list(reasons)), "details": details}
        self._update(check_id, values | {"decided_at": aware_now(now), "last_error": None})

    def record_reported(self, check_id: int, now: datetime | None = None) -> None:
        self._update(check_id, {"status": REPORTED, "reported_at": aware_now(now), "claimed_until": None})

    def record_retry(self, check_id: int, error: str, next_attempt_at: datetime) -> None:
        """This attempt failed for a reason that may pass (registry down, ACR refused the update): try later."""
        self._update(check_id, {"last_error": error, "next_attempt_at": next_attempt_at, "claimed_until": None})

    def get(self, check_id: int, now: datetime | None = None) -> QuarantineCheck | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.id == check_id)).first()
        return None if row is None else _check(row, aware_now(now))

    def find(self, registry: str, repository: str, digest: str) -> QuarantineCheck | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(table).where(*_manifest(registry, repository, digest))).first()
        return None if row is None else _check(row, aware_now(None))

    def recent(self, limit: int = 100, now: datetime | None = None) -> list[QuarantineCheck]:
        """The newest checks first."""
        query = sa.select(table).order_by(table.c.received_at.desc(), table.c.id.desc()).limit(limit)
        moment = aware_now(now)
        with self._engine.connect() as conn:
            return [_check(row, moment) for row in conn.execute(query)]

    def _update(self, check_id: int, values: dict[str, object]) -> None:
        with self._engine.begin() as conn:
            conn.execute(sa.update(table).where(table.c.id == check_id).values(**values))


def _manifest(registry: str, repository: str, digest: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (table.c.registry == registry, table.c.repository == repository, table.c.digest == digest)


def _unclaimed(moment: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < moment)


def _check(row: Row[tuple[object, ...]], moment: datetime) -> QuarantineCheck:
    fields = row._mapping
    claimed_until = aware(fields["claimed_until"])
    received_at = aware(fields["received_at"])
    assert received_at is not None
    return QuarantineCheck(
        id=int(fields["id"]),
        registry=fields["registry"],
        repository=fields["repository"],
        digest=fields["digest"],
        tag=fields["tag"],
        status=fields["status"],
        received_at=received_at,
        state=fields["state"],
        reasons=tuple(json.loads(fields["reasons"])) if fields["reasons"] else (),
        details=fields["details"],
        attempts=int(fields["attempts"]),
        last_error=fields["last_error"],
        decided_at=aware(fields["decided_at"]),
        reported_at=aware(fields["reported_at"]),
        next_attempt_at=aware(fields["next_attempt_at"]),
        running=claimed_until is not None and claimed_until >= moment,
    )
