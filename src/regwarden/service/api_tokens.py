"""API tokens for CI and scripts: `rwt_<id>_<secret>`, shown once, kept as the SHA-256 of the secret.

A token has scopes (read, ingest, triage), an expiry (every token expires: 90 days by default, at most a year)
and an owner; it acts with at most its owner's role, and stops working when it is revoked, expires, or its
owner is disabled. Issuing and revoking are in the audit trail; using one moves its `last_used_at`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden.model.access import IssuedToken, Principal, Scope
from regwarden.model.errors import AuthError, BadInputError, NotFoundError
from regwarden.service.accounts import find_user

if TYPE_CHECKING:
    from regwarden.store import Store

PREFIX = "rwt_"
DEFAULT_TTL = timedelta(days=90)
MAX_TTL = timedelta(days=366)


def issue_token(
    store: Store,
    owner: str,
    name: str,
    scopes: frozenset[Scope],
    *,
    actor: str,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> IssuedToken:
    moment = now or datetime.now(UTC)
    if not scopes:
        raise BadInputError(f"a token needs at least one scope: {', '.join(s.value for s in Scope)}")
    if not timedelta(0) < ttl <= MAX_TTL:
        raise BadInputError("a token's lifetime is between a second and 366 days")
    if not name.strip():
        raise BadInputError("a token needs a name that says what uses it (e.g. ci-shop-web)")
    user = find_user(store, owner)
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    store.tokens.add(token_id, _digest(secret), name.strip(), user.id, scopes, moment + ttl, moment)
    detail = {"owner": user.name, "scopes": sorted(s.value for s in scopes), "expires_at": (moment + ttl).isoformat()}
    store.audit_log.append(actor, "token.create", f"{name.strip()} ({token_id})", detail, now=moment)
    found = store.tokens.find(token_id)
    assert found is not None
    return IssuedToken(found[0], f"{PREFIX}{token_id}_{secret}")


def revoke_token(store: Store, token_id: str, *, actor: str, now: datetime | None = None) -> None:
    found = store.tokens.find(token_id)
    if found is None:
        raise NotFoundError(f"no token with id {token_id!r} (see `regwarden users tokens`)")
    if not store.tokens.revoke(token_id, now or datetime.now(UTC)):
        raise BadInputError(f"token {token_id} was revoked already")
    store.audit_log.append(actor, "token.revoke", f"{found[0].name} ({token_id})", {"owner": found[0].user.name})


def token_principal(store: Store, presented: str, now: datetime | None = None) -> Principal:
    """The principal a bearer token stands for; AuthError for anything but a usable token."""
    moment = now or datetime.now(UTC)
    token_id, _, secret = presented.removeprefix(PREFIX).partition("_")
    found = store.tokens.find(token_id) if presented.startswith(PREFIX) and secret else None
    if found is None or not hmac.compare_digest(found[1], _digest(secret)):
        raise AuthError("unknown API token")
    token = found[0]
    if not token.usable(moment):
        raise AuthError(f"API token {token.name} is revoked, expired, or its owner is disabled")
    store.tokens.touch(token_id, moment)
    return Principal(token.user, "token", token.name, token.scopes)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
