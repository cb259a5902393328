"""Browser sessions, stored by the SHA-256 of their cookie: a session is ended by deleting its row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.access import User
from regwarden.store.access_schema import sessions, users
from regwarden.store.moments import aware, aware_now
from regwarden.store.users import user_of


@dataclass(frozen=True)
class StoredSession:
    user: User
    csrf_token: str
    method: str
    expires_at: datetime


class SessionRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, id_hash: str, user_id: int, csrf_token: str, method: str, expires_at: datetime, now: datetime
    ) -> None:
        row = {
            "id_hash": id_hash,
            "user_id": user_id,
            "csrf_token": csrf_token,
            "method": method,
            "created_at": aware_now(now),
            "expires_at": expires_at,
        }
        with self._engine.begin() as conn:
            conn.execute(sa.delete(sessions).where(sessions.c.expires_at <= aware_now(now)))  # keep the table small
            conn.execute(sa.insert(sessions), [row])

    def find(self, id_hash: str, now: datetime) -> StoredSession | None:
        """The unexpired session with this hash, and its user."""
        query = (
            sa.select(users, sessions.c.csrf_token, sessions.c.method, sessions.c.expires_at)
            .join(users, users.c.id == sessions.c.user_id)
            .where(sessions.c.id_hash == id_hash, sessions.c.expires_at > aware_now(now))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        mapping = row._mapping
        expires = aware(row.expires_at) or row.expires_at
        return StoredSession(user_of(mapping), str(row.csrf_token), str(row.method), expires)

    def remove(self, id_hash: str) -> bool:
        with self._engine.begin() as conn:
            return bool(conn.execute(sa.delete(sessions).where(sessions.c.id_hash == id_hash)).rowcount)

    def remove_for_user(self, user_id: int) -> int:
        """End every session of a user (disabled, or a role change that must take effect now)."""
        with self._engine.begin() as conn:
            return int(conn.execute(sa.delete(sessions).where(sessions.c.user_id == user_id)).rowcount)
