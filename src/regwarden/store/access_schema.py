"""The server's access tables: local and OIDC users, browser sessions, API tokens, and the audit trail.

Secrets are never stored as given: a password is an argon2 hash, a session cookie and an API token's secret are
kept as their SHA-256 (both are 256-bit random values, so a fast hash is enough and a database leak hands out
no working credential). The audit trail is append-only: every change of state the server makes, who made it,
from where, and what it was.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import MOMENT, ROW_ID, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),  # the sign-in name (OIDC: preferred_username)
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),  # viewer | triager | admin
    sa.Column("password_hash", sa.Text(), nullable=True),  # argon2id; NULL for users who sign in with OIDC only
    sa.Column("issuer", sa.String(255), nullable=True),  # OIDC issuer and subject, once signed in that way
    sa.Column("subject", sa.String(255), nullable=True),
    sa.Column("created_at", MOMENT, nullable=False),
    sa.Column("disabled_at", MOMENT, nullable=True),
    sa.UniqueConstraint("issuer", "subject", name="uq_users_oidc_identity"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),  # SHA-256 of the cookie's value
    sa.Column("user_id", ROW_ID, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),  # what every form of this session must send back
    sa.Column("method", sa.String(20), nullable=False),  # password | oidc
    sa.Column("created_at", MOMENT, nullable=False),
    sa.Column("expires_at", MOMENT, nullable=False),
)
sa.Index("ix_sessions_user", sessions.c.user_id)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("token_id", sa.String(32), nullable=False, unique=True),  # the public part of `rwt_<id>_<secret>`
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("user_id", ROW_ID, sa.ForeignKey("users.id"), nullable=False),  # acts with at most its owner's role
    sa.Column("scopes", sa.String(255), nullable=False),  # space-separated: read ingest triage
    sa.Column("created_at", MOMENT, nullable=False),
    sa.Column("expires_at", MOMENT, nullable=False),  # every token expires
    sa.Column("last_used_at", MOMENT, nullable=True),
    sa.Column("revoked_at", MOMENT, nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("at", MOMENT, nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),  # a user name, `token:NAME (user)`, `webhook:…`, `cli`
    sa.Column("action", sa.String(60), nullable=False),  # user.add, login.failed, triage.add, ingest.sbom, …
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),  # JSON, never a secret
    sa.Column("client", sa.String(64), nullable=True),  # the client address, for requests
)
sa.Index("ix_audit_log_at", audit_log.c.at)
