"""The advisory database: advisories, affected index, aliases, ecosystem status.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "advisories",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("modified", sa.String(40), nullable=False),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("withdrawn", sa.String(40), nullable=True),
        sa.Column("collection", sa.String(100), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_advisories_collection", "advisories", ["collection"])
    op.create_table(
        "affected_index",
        sa.Column("ecosystem_base", sa.String(100), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("advisory_id", sa.String(255), sa.ForeignKey("advisories.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem_base", "name", "advisory_id", name="pk_affected_index"),
    )
    op.create_index("ix_affected_index_advisory", "affected_index", ["advisory_id"])
    op.create_table(
        "aliases",
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("advisory_id", sa.String(255), sa.ForeignKey("advisories.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("alias", "advisory_id", name="pk_aliases"),
    )
    op.create_index("ix_aliases_advisory", "aliases", ["advisory_id"])
    op.create_table(
        "ecosystem_status",
        sa.Column("ecosystem", sa.String(100), primary_key=True),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("advisory_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("watermark", sa.String(40), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ecosystem_status")
    op.drop_table("aliases")
    op.drop_table("affected_index")
    op.drop_table("advisories")
