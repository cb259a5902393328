"""Browser sessions: a random cookie value (only its SHA-256 is stored), a CSRF token, an expiry.

A session is server-side, so signing out, disabling a user or changing a role ends it at once; the cookie holds
nothing but the random value. Every sign-in and sign-out is in the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden.model.access import Principal, User

if TYPE_CHECKING:
    from regwarden.store import Store

DEFAULT_TTL = timedelta(hours=8)


def start_session(
    store: Store,
    user: User,
    method: str,
    *,
    client: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
) -> str:
    """A new session for `user`; returns the cookie value (never stored as such)."""
    moment = now or datetime.now(UTC)
    cookie = secrets.token_urlsafe(32)
    store.sessions.add(_digest(cookie), user.id, secrets.token_urlsafe(32), method, moment + ttl, moment)
    store.audit_log.append(user.name, "login.ok", user.name, {"method": method}, client=client, now=moment)
    return cookie


def session_principal(store: Store, cookie: str, now: datetime | None = None) -> Principal | None:
    if not cookie:
        return None
    found = store.sessions.find(_digest(cookie), now or datetime.now(UTC))
    if found is None or not found.user.active:
        return None
    return Principal(found.user, "session", csrf_token=found.csrf_token)


def end_session(store: Store, cookie: str, actor: str, client: str | None = None) -> None:
    if cookie and store.sessions.remove(_digest(cookie)):
        store.audit_log.append(actor, "logout", actor, {}, client=client)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
