"""Users of the server: local (argon2 hash) and OIDC (issuer + subject), their roles, and disabling them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.access import Role, User
from regwarden.store.access_schema import users
from regwarden.store.moments import aware, aware_now


class UserRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        name: str,
        display_name: str,
        role: Role,
        password_hash: str | None,
        *,
        issuer: str | None = None,
        subject: str | None = None,
        now: datetime | None = None,
    ) -> User:
        row = {
            "name": name,
            "display_name": display_name,
            "role": role.value,
            "password_hash": password_hash,
            "issuer": issuer,
            "subject": subject,
            "created_at": aware_now(now),
        }
        with self._engine.begin() as conn:
            conn.execute(sa.insert(users), [row])
        found = self.by_name(name)
        assert found is not None
        return found

    def by_name(self, name: str) -> User | None:
        return self._one(users.c.name == name)

    def by_id(self, user_id: int) -> User | None:
        return self._one(users.c.id == user_id)

    def by_identity(self, issuer: str, subject: str) -> User | None:
        return self._one(sa.and_(users.c.issuer == issuer, users.c.subject == subject))

    def password_hash(self, name: str) -> str | None:
        with self._engine.connect() as conn:
            value = conn.execute(sa.select(users.c.password_hash).where(users.c.name == name)).scalar()
        return None if value is None else str(value)

    def all(self) -> list[User]:
        with self._engine.connect() as conn:
            return [user_of(row._mapping) for row in conn.execute(sa.select(users).order_by(users.c.name))]

    def update(self, user_id: int, **values: object) -> None:
        """Change some columns of one user (role, password_hash, issuer/subject, disabled_at)."""
        with self._engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))

    def _one(self, condition: sa.ColumnElement[bool]) -> User | None:
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(users).where(condition)).first()
        return None if row is None else user_of(row._mapping)


def user_of(mapping: Mapping[Any, Any]) -> User:
    created = mapping["created_at"]
    disabled = mapping["disabled_at"]
    assert isinstance(created, datetime)
    return User(
        id=int(str(mapping["id"])),
        name=str(mapping["name"]),
        display_name=str(mapping["display_name"]),
        role=Role(str(mapping["role"])),
        created_at=aware(created) or created,
        has_password=mapping["password_hash"] is not None,
        issuer=None if mapping["issuer"] is None else str(mapping["issuer"]),
        subject=None if mapping["subject"] is None else str(mapping["subject"]),
        disabled_at=aware(disabled) if isinstance(disabled, datetime) else None,
    )
