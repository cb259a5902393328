"""Seen ecosystems: which base ecosystems scans needed, so `db update` without `-e` fetches what images use.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "seen_ecosystems",
        sa.Column("ecosystem", sa.String(100), primary_key=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("packages", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("seen_ecosystems")
