"""Leases: one holder at a time for exclusive jobs (`watch`), however many processes share the database.

Acquiring is one atomic statement (an insert, else an update of an expired or own lease), so two watchers started
together never both win. A holder renews its lease while it works; a crashed holder's lease expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.store.inventory_schema import leases
from regwarden.store.moments import aware_now
from regwarden.store.upsert import dialect_insert


class LeaseRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def acquire(self, name: str, owner: str, ttl: timedelta, now: datetime | None = None) -> bool:
        """Take (or renew) lease `name` for `owner` until now + ttl; False while someone else holds it."""
        moment = aware_now(now)
        row = {"name": name, "owner": owner, "expires_at": moment + ttl}
        with self._engine.begin() as conn:
            # RETURNING, not rowcount: psycopg reports -1 for any INSERT … ON CONFLICT DO NOTHING, inserted or not.
            insert = dialect_insert(conn, leases).on_conflict_do_nothing().returning(leases.c.name)
            if conn.execute(insert, [row]).first() is not None:
                return True
            taken = conn.execute(
                sa.update(leases)
                .where(leases.c.name == name, sa.or_(leases.c.owner == owner, leases.c.expires_at < moment))
                .values(owner=owner, expires_at=moment + ttl)
            ).rowcount
        return bool(taken)

    def release(self, name: str, owner: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(sa.delete(leases).where(leases.c.name == name, leases.c.owner == owner))

    def holder(self, name: str) -> tuple[str, datetime] | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(leases).where(leases.c.name == name)).first()
        return (row.owner, row.expires_at) if row else None
