"""Who may do what on the server: roles, token scopes, users, tokens, the acting principal, audit entries.

Result types only. Roles are ordered (a triager can do what a viewer can, an admin what a triager can); a token
carries scopes and acts with at most its owner's role, so a token can never do more than the person who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    TRIAGER = "triager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 1, Role.TRIAGER: 2, Role.ADMIN: 3}


class Scope(StrEnum):
    """What an API token may be used for."""

    READ = "read"
    """Every GET of the API and its exports."""
    INGEST = "ingest"
    """POST /api/v1/sboms and /api/v1/scans (CI records what it built)."""
    TRIAGE = "triage"
    """POST /api/v1/triage (needs a triager or admin owner too)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    display_name: str
    role: Role
    created_at: datetime
    has_password: bool = False
    issuer: str | None = None
    subject: str | None = None
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class ApiToken:
    id: int
    token_id: str
    name: str
    user: User
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.user.active


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `secret` is shown once and stored only as a hash."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Principal:
    """Who is acting in a request: a signed-in user (session) or a token, with what it may do."""

    user: User
    via: str
    """`session` or `token`."""
    token_name: str | None = None
    scopes: frozenset[Scope] = frozenset(Scope)
    csrf_token: str | None = None
    """The session's CSRF token (sessions only)."""

    @property
    def actor(self) -> str:
        """How the audit trail names it."""
        return f"token:{self.token_name} ({self.user.name})" if self.token_name else self.user.name

    def can(self, role: Role, scope: Scope | None = None) -> bool:
        return self.user.role.allows(role) and (scope is None or scope in self.scopes)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, object]
    client: str | None = None
