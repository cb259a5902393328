"""Inventory, findings: per-package findings, the ids each answers to, triage, and inventory state.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "package_findings",
        sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
        sa.Column("vuln_id", sa.String(255), nullable=False),
        sa.Column("ids", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("unrated", sa.Boolean(), nullable=False),
        sa.Column("cvss_score", sa.Float(), nullable=True),
        sa.Column("fixed", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("first_seen", MOMENT, nullable=False),
        sa.Column("last_seen", MOMENT, nullable=False),
        sa.Column("resolved_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("package_id", "vuln_id", name="pk_package_findings"),
    )
    op.create_index("ix_package_findings_vuln", "package_findings", ["vuln_id"])
    op.create_table(
        "finding_ids",
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("vuln_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("alias", "vuln_id", name="pk_finding_ids"),
    )
    op.create_table(
        "triage",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("vuln_id", sa.String(255), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("package", sa.String(512), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
    )
    op.create_index("ix_triage_vuln", "triage", ["vuln_id"])
    op.create_table(
        "inventory_state",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("inventory_state", "triage", "finding_ids", "package_findings"):
        op.drop_table(table)
