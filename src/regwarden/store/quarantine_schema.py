"""The quarantine worker's table: one row per pushed manifest ACR held, from the webhook to the state set in ACR.

The row is written before the webhook is answered, so a check survives a restart: a worker takes due rows (new
ones, and ones whose scan or report failed and wait for their next attempt) by a short claim, and a claim that
expires (a crashed worker) makes the row due again. One row per (registry, repository, digest): a redelivered
webhook finds the row and changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import DIGEST, MOMENT, ROW_ID, metadata

quarantine_checks = sa.Table(
    "quarantine_checks",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("registry", sa.String(255), nullable=False),
    sa.Column("repository", sa.String(255), nullable=False),
    sa.Column("digest", DIGEST, nullable=False),
    sa.Column("tag", sa.String(128), nullable=True),
    sa.Column("event_id", sa.String(255), nullable=True),  # the webhook's `id`
    sa.Column("status", sa.String(20), nullable=False),  # pending | decided | reported
    sa.Column("state", sa.String(20), nullable=True),  # Passed | Failed, once decided
    sa.Column("reasons", sa.Text(), nullable=True),  # JSON list of why it failed
    sa.Column("details", sa.Text(), nullable=True),  # the quarantineDetails JSON string, as sent to ACR
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("received_at", MOMENT, nullable=False),
    sa.Column("next_attempt_at", MOMENT, nullable=False),
    sa.Column("claimed_until", MOMENT, nullable=True),  # a worker's claim; NULL or past: free
    sa.Column("decided_at", MOMENT, nullable=True),
    sa.Column("reported_at", MOMENT, nullable=True),
    sa.UniqueConstraint("registry", "repository", "digest", name="uq_quarantine_checks_manifest"),
)
sa.Index("ix_quarantine_checks_due", quarantine_checks.c.status, quarantine_checks.c.next_attempt_at)
