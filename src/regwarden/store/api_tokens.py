"""API tokens: the public id, the SHA-256 of the secret, scopes, expiry, last use and revocation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.model.access import ApiToken, Scope
from regwarden.store.access_schema import api_tokens, users
from regwarden.store.moments import aware, aware_now
from regwarden.store.users import user_of

_TOKEN_COLUMNS = [c.label(f"t_{c.name}") for c in api_tokens.c]


class TokenRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        token_id: str,
        secret_hash: str,
        name: str,
        user_id: int,
        scopes: frozenset[Scope],
        expires_at: datetime,
        now: datetime,
    ) -> None:
        row = {
            "token_id": token_id,
            "secret_hash": secret_hash,
            "name": name,
            "user_id": user_id,
            "scopes": " ".join(sorted(scope.value for scope in scopes)),
            "created_at": aware_now(now),
            "expires_at": expires_at,
        }
        with self._engine.begin() as conn:
            conn.execute(sa.insert(api_tokens), [row])

    def find(self, token_id: str) -> tuple[ApiToken, str] | None:
        """The token with this public id and its secret's hash (revoked and expired ones too)."""
        rows = self._select(api_tokens.c.token_id == token_id)
        return rows[0] if rows else None

    def all(self) -> list[ApiToken]:
        return [token for token, _ in self._select(sa.true())]

    def touch(self, token_id: str, now: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(sa.update(api_tokens).where(api_tokens.c.token_id == token_id).values(last_used_at=now))

    def revoke(self, token_id: str, now: datetime) -> bool:
        statement = (
            sa.update(api_tokens)
            .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=aware_now(now))
        )
        with self._engine.begin() as conn:
            return bool(conn.execute(statement).rowcount)

    def _select(self, condition: sa.ColumnElement[bool]) -> list[tuple[ApiToken, str]]:
        query = (
            sa.select(users, *_TOKEN_COLUMNS)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(condition)
            .order_by(api_tokens.c.id)
        )
        with self._engine.connect() as conn:
            return [(_token(row._mapping), str(row.t_secret_hash)) for row in conn.execute(query)]


def _token(mapping: Mapping[Any, Any]) -> ApiToken:
    def moment(key: str) -> datetime | None:
        value = mapping[key]
        return aware(value) if isinstance(value, datetime) else None

    created, expires = moment("t_created_at"), moment("t_expires_at")
    assert created is not None and expires is not None
    return ApiToken(
        id=int(str(mapping["t_id"])),
        token_id=str(mapping["t_token_id"]),
        name=str(mapping["t_name"]),
        user=user_of(mapping),
        scopes=frozenset(Scope(part) for part in str(mapping["t_scopes"]).split()),
        created_at=created,
        expires_at=expires,
        last_used_at=moment("t_last_used_at"),
        revoked_at=moment("t_revoked_at"),
    )
