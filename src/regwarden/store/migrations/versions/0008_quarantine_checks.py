"""Quarantine: the worker's durable record of each manifest ACR's quarantine webhook announced.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quarantine_checks",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("registry", sa.String(255), nullable=False),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("digest", sa.String(100), nullable=False),
        sa.Column("tag", sa.String(128), nullable=True),
        sa.Column("event_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("received_at", MOMENT, nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=False),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("decided_at", MOMENT, nullable=True),
        sa.Column("reported_at", MOMENT, nullable=True),
        sa.UniqueConstraint("registry", "repository", "digest", name="uq_quarantine_checks_manifest"),
    )
    op.create_index("ix_quarantine_checks_due", "quarantine_checks", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("quarantine_checks")
