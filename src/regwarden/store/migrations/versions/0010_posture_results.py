"""Recorded posture audits: runs and their results per registry and rule (`audit acr --record`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posture_runs",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("profile", sa.String(20), nullable=False),
        sa.Column("tool_version", sa.String(40), nullable=False),
    )
    op.create_table(
        "posture_results",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("run_id", ROW_ID, sa.ForeignKey("posture_runs.id"), nullable=False),
        sa.Column("registry_name", sa.String(255), nullable=False),
        sa.Column("registry_id", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.String(20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_posture_results_registry", "posture_results", ["registry_name", "run_id"])


def downgrade() -> None:
    op.drop_table("posture_results")
    op.drop_table("posture_runs")
