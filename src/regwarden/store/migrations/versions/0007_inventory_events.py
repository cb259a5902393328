"""Inventory, events: exposures of production workloads, the event log, the delivery outbox, and leases for
exclusive jobs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    op.create_index("ix_events_created", "events", ["created_at"])
    op.create_table(
        "deliveries",
        sa.Column("event_id", ROW_ID, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("endpoint", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("event_id", "endpoint", name="pk_deliveries"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "exposures",
        sa.Column("workload_id", ROW_ID, sa.ForeignKey("workloads.id"), nullable=False),
        sa.Column("vuln_id", sa.String(255), nullable=False),
        sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
        sa.Column("digest", sa.String(100), nullable=False),
        sa.Column("opened_at", MOMENT, nullable=False),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("workload_id", "vuln_id", "package_id", "digest", name="pk_exposures"),
    )
    op.create_index("ix_exposures_vuln", "exposures", ["vuln_id"])
    op.create_table(
        "leases",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
    )


def downgrade() -> None:
    for table in ("leases", "exposures", "deliveries", "events"):
        op.drop_table(table)
