"""The match view: what matching reads of each advisory, stored per affected-index key (store/match_view.py).

Rows written before this revision keep a NULL view and are decoded from the whole record at lookup time, so an
old database answers exactly as before, only slower, until its next `db update` or `db import` rewrites them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch table copy on SQLite): the column is nullable and has no constraint.
    op.add_column("affected_index", sa.Column("match_view", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("affected_index") as batch:
        batch.drop_column("match_view")
