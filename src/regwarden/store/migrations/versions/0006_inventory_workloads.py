"""Inventory, what runs where: workloads and the last sync of each cluster.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workloads",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.String(64), nullable=False, unique=True),
        sa.Column("cluster", sa.String(255), nullable=False),
        sa.Column("namespace", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("container", sa.String(255), nullable=False),
        sa.Column("container_kind", sa.String(20), nullable=False),
        sa.Column("image", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(100), nullable=True),
        sa.Column("image_id", sa.Text(), nullable=True),
        sa.Column("digest_reason", sa.Text(), nullable=True),  # why digest is NULL
        sa.Column("owner_inferred", sa.Text(), nullable=True),  # how kind/name were inferred, when they were
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("pods", sa.Integer(), nullable=False),
        sa.Column("environment", sa.String(20), nullable=False),
        sa.Column("environment_rule", sa.Text(), nullable=False),
        sa.Column("first_seen", MOMENT, nullable=False),
        sa.Column("last_seen", MOMENT, nullable=False),
        sa.Column("gone_at", MOMENT, nullable=True),
    )
    op.create_index("ix_workloads_digest", "workloads", ["digest"])
    op.create_index("ix_workloads_cluster", "workloads", ["cluster"])
    op.create_table(
        "cluster_syncs",
        sa.Column("cluster", sa.String(255), primary_key=True),
        sa.Column("synced_at", MOMENT, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("workloads", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cluster_syncs")
    op.drop_table("workloads")
