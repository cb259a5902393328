"""Users of the server: add, change role or password, disable, sign in with a password, or arrive by OIDC.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended set) and never kept or
logged as given. Signing in as a name nobody has still verifies a hash, so the answer takes as long as for a
real user and the two cannot be told apart. Every change is in the audit trail, with who made it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from regwarden.model.access import Role, User
from regwarden.model.errors import AuthError, BadInputError, NotFoundError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from regwarden.store import Store

MIN_PASSWORD_LENGTH = 12
_NAME_LIMIT = 255


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _decoy_hash() -> str:
    return _hasher().hash("regwarden decoy password: no user has it")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def add_user(
    store: Store,
    name: str,
    role: Role,
    password: str | None,
    *,
    actor: str,
    display_name: str | None = None,
    now: datetime | None = None,
) -> User:
    """A local user (with a password) or one who will sign in with OIDC only (`password` None)."""
    clean = _check_name(name)
    if store.users.by_name(clean) is not None:
        raise BadInputError(f"a user named {clean!r} exists already")
    hashed = hash_password(password) if password is not None else None
    user = store.users.add(clean, (display_name or clean).strip(), role, hashed, now=now)
    store.audit_log.append(actor, "user.add", clean, {"role": role.value, "password": hashed is not None}, now=now)
    return user


def set_role(store: Store, name: str, role: Role, *, actor: str) -> User:
    user = find_user(store, name)
    store.users.update(user.id, role=role.value)
    store.sessions.remove_for_user(user.id)  # a lowered role takes effect now, not at the session's end
    store.audit_log.append(actor, "user.role", name, {"from": user.role.value, "to": role.value})
    return find_user(store, name)


def set_password(store: Store, name: str, password: str, *, actor: str) -> None:
    user = find_user(store, name)
    store.users.update(user.id, password_hash=hash_password(password))
    store.sessions.remove_for_user(user.id)
    store.audit_log.append(actor, "user.password", name, {})


def disable_user(store: Store, name: str, *, actor: str, now: datetime | None = None) -> None:
    user = find_user(store, name)
    store.users.update(user.id, disabled_at=now or datetime.now(UTC))
    ended = store.sessions.remove_for_user(user.id)
    store.audit_log.append(actor, "user.disable", name, {"sessions_ended": ended})


def find_user(store: Store, name: str) -> User:
    user = store.users.by_name(name.strip())
    if user is None:
        raise NotFoundError(f"no user named {name!r}")
    return user


def authenticate(store: Store, name: str, password: str) -> User:
    """The active user with this name and password; AuthError otherwise (one message for every reason)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user = store.users.by_name(name.strip()) if name.strip() else None
    stored = store.users.password_hash(user.name) if user is not None else None
    try:
        _hasher().verify(stored or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise AuthError("wrong user name or password") from None
    if user is None or stored is None or not user.active:
        raise AuthError("wrong user name or password")
    if _hasher().check_needs_rehash(stored):
        store.users.update(user.id, password_hash=_hasher().hash(password))
    return user


def oidc_user(store: Store, issuer: str, subject: str, name: str, display_name: str, default_role: Role | None) -> User:
    """The user an OIDC identity signs in as: known by (issuer, subject), else a user of that name claimed on
    first sign-in, else a new user with `default_role` (None: only users an admin added may sign in)."""
    known = store.users.by_identity(issuer, subject)
    if known is None:
        named = store.users.by_name(name)
        if named is not None and named.issuer is None:
            store.users.update(named.id, issuer=issuer, subject=subject)
            store.audit_log.append(f"oidc:{name}", "user.link", name, {"issuer": issuer})
            known = store.users.by_identity(issuer, subject)
        elif named is None and default_role is not None:
            known = store.users.add(_check_name(name), display_name, default_role, None, issuer=issuer, subject=subject)
            store.audit_log.append(f"oidc:{name}", "user.add", name, {"role": default_role.value, "issuer": issuer})
    if known is None or not known.active:
        raise AuthError(f"{name} may not sign in here: ask an admin to add the user (`regwarden users add`)")
    return known


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > _NAME_LIMIT or any(ch.isspace() or not ch.isprintable() for ch in clean):
        raise BadInputError(f"a user name is 1–{_NAME_LIMIT} printable characters without spaces, not {name!r}")
    return clean
