"""Inventory, images: registries, repositories, images, index children, locations, tag history, packages,
package keys, components, scan records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DIGEST = sa.String(100)
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registries",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("host", sa.String(255), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("last_synced_at", MOMENT, nullable=True),
    )
    op.create_table(
        "repositories",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("registry_id", ROW_ID, sa.ForeignKey("registries.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.UniqueConstraint("registry_id", "name", name="uq_repositories_name"),
    )
    op.create_table(
        "images",
        sa.Column("digest", DIGEST, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(255), nullable=True),
        sa.Column("platform", sa.String(60), nullable=True),
        sa.Column("created", sa.String(40), nullable=True),
        sa.Column("config_digest", DIGEST, nullable=True),
        sa.Column("config", sa.Text(), nullable=True),
        sa.Column("layers", sa.Text(), nullable=True),
        sa.Column("os_id", sa.String(60), nullable=True),
        sa.Column("os_version_id", sa.String(60), nullable=True),
        sa.Column("os_codename", sa.String(60), nullable=True),
        sa.Column("os_pretty_name", sa.String(255), nullable=True),
        sa.Column("package_count", sa.Integer(), nullable=False),
        sa.Column("unknown_count", sa.Integer(), nullable=False),
        sa.Column("catalogued_at", MOMENT, nullable=False),
        sa.Column("tool_version", sa.String(40), nullable=False),
    )
    op.create_table(
        "image_children",
        sa.Column("index_digest", DIGEST, nullable=False),
        sa.Column("child_digest", DIGEST, nullable=False),
        sa.Column("platform", sa.String(60), nullable=True),
        sa.PrimaryKeyConstraint("index_digest", "child_digest", name="pk_image_children"),
    )
    op.create_index("ix_image_children_child", "image_children", ["child_digest"])
    op.create_table(
        "image_locations",
        sa.Column("repository_id", ROW_ID, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("pushed_at", sa.String(40), nullable=True),
        sa.Column("first_seen", MOMENT, nullable=False),
        sa.Column("last_seen", MOMENT, nullable=False),
        sa.Column("gone_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("repository_id", "digest", name="pk_image_locations"),
    )
    op.create_index("ix_image_locations_digest", "image_locations", ["digest"])
    op.create_table(
        "tag_history",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("repository_id", ROW_ID, sa.ForeignKey("repositories.id"), nullable=False),
        sa.Column("tag", sa.String(255), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("first_seen", MOMENT, nullable=False),
        sa.Column("last_seen", MOMENT, nullable=False),
        sa.Column("moved_at", MOMENT, nullable=True),
    )
    op.create_index("ix_tag_history_tag", "tag_history", ["repository_id", "tag"])
    op.create_index("ix_tag_history_digest", "tag_history", ["digest"])
    op.create_table(
        "packages",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("search_name", sa.String(512), nullable=False),
        sa.Column("version", sa.String(255), nullable=False),
        sa.Column("purl", sa.Text(), nullable=False),
        sa.Column("cataloger", sa.String(60), nullable=False),
        sa.Column("source_name", sa.String(512), nullable=True),
        sa.Column("source_version", sa.String(255), nullable=True),
        sa.Column("arch", sa.String(60), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=True),
        sa.Column("owned_by", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=False),  # JSON: the metadata matching reads (a project's role)
        sa.Column("os_id", sa.String(60), nullable=True),
        sa.Column("os_version_id", sa.String(60), nullable=True),
        sa.Column("os_codename", sa.String(60), nullable=True),
    )
    op.create_index("ix_packages_search_name", "packages", ["search_name"])
    op.create_table(
        "package_keys",
        sa.Column("ecosystem", sa.String(100), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
        sa.PrimaryKeyConstraint("ecosystem", "name", "package_id", name="pk_package_keys"),
    )
    op.create_index("ix_package_keys_package", "package_keys", ["package_id"])
    op.create_table(
        "components",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("image_digest", DIGEST, nullable=False),
        sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
        sa.Column("layer_index", sa.Integer(), nullable=True),
        sa.Column("layer_digest", DIGEST, nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
    )
    op.create_index("ix_components_image", "components", ["image_digest"])
    op.create_index("ix_components_package", "components", ["package_id"])
    op.create_table(
        "scan_records",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("image_digest", DIGEST, nullable=False),
        sa.Column("scanned_at", MOMENT, nullable=False),
        sa.Column("origin", sa.String(40), nullable=False),
        sa.Column("tool_version", sa.String(40), nullable=False),
        sa.Column("db_updated_at", MOMENT, nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
    )
    op.create_index("ix_scan_records_image", "scan_records", ["image_digest"])


def downgrade() -> None:
    for table in (
        "scan_records",
        "components",
        "package_keys",
        "packages",
        "tag_history",
        "image_locations",
        "image_children",
        "images",
        "repositories",
        "registries",
    ):
        op.drop_table(table)
