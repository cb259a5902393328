"""Signatures: the artifacts found attached to an image and the latest verification per policy (`verify --record`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "image_referrers",
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("repository", sa.String(512), nullable=False),
        sa.Column("digest", sa.String(100), nullable=False),
        sa.Column("artifact_type", sa.String(255), nullable=True),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.String(40), nullable=True),
        sa.Column("annotations", sa.Text(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("tag", sa.String(128), nullable=True),
        sa.Column("seen_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("subject", "repository", "digest", name="pk_image_referrers"),
    )
    op.create_table(
        "signature_verifications",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("repository", sa.String(512), nullable=False),
        sa.Column("policy", sa.String(255), nullable=False),
        sa.Column("policy_sha256", sa.String(71), nullable=False),
        sa.Column("statements", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("signatures", sa.Text(), nullable=False),
        sa.Column("verified_at", MOMENT, nullable=False),
        sa.UniqueConstraint("subject", "repository", "policy", name="uq_signature_verifications_policy"),
    )


def downgrade() -> None:
    op.drop_table("signature_verifications")
    op.drop_table("image_referrers")
