"""The advisory tables, as SQLAlchemy Core objects for queries (the inventory's are in inventory_schema.py, on the
same `metadata`; importing this module registers both). Alembic revisions create them (migrations/versions);
tests/store/test_migrations.py checks that the migrated database and these definitions never drift apart.

Advisories are kept whole (zlib-compressed OSV JSON) so a lookup returns exactly what the source published;
the small index tables decide *which* records to return, and `affected_index.match_view` carries what matching
reads of each record under each key, so a scan's batched lookup never decodes whole records (match_view.py).
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import metadata

advisories = sa.Table(
    "advisories",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    # RFC 3339 in UTC with a fixed width (see advisories._utc_text), so text order is time order.
    sa.Column("modified", sa.String(40), nullable=False),
    sa.Column("published", sa.String(40), nullable=True),
    sa.Column("withdrawn", sa.String(40), nullable=True),
    # The export the record came from (`Debian`, `PyPI`, ...): a full update replaces exactly that collection.
    sa.Column("collection", sa.String(100), nullable=False),
    sa.Column("source", sa.Text(), nullable=True),
    sa.Column("raw", sa.LargeBinary(), nullable=False),
)
sa.Index("ix_advisories_collection", advisories.c.collection)

affected_index = sa.Table(
    "affected_index",
    metadata,
    sa.Column("ecosystem_base", sa.String(100), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("advisory_id", sa.String(255), sa.ForeignKey("advisories.id", ondelete="CASCADE"), nullable=False),
    # What matching reads of the advisory under this key (store/match_view.py); NULL in rows written before
    # revision 0002, which lookups then decode from `advisories.raw`.
    sa.Column("match_view", sa.Text(), nullable=True),
    # The key leads with (ecosystem_base, name): it is the lookup index as well as the uniqueness rule.
    sa.PrimaryKeyConstraint("ecosystem_base", "name", "advisory_id", name="pk_affected_index"),
)
sa.Index("ix_affected_index_advisory", affected_index.c.advisory_id)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("advisory_id", sa.String(255), sa.ForeignKey("advisories.id", ondelete="CASCADE"), nullable=False),
    sa.PrimaryKeyConstraint("alias", "advisory_id", name="pk_aliases"),
)
sa.Index("ix_aliases_advisory", aliases.c.advisory_id)

ecosystem_status = sa.Table(
    "ecosystem_status",
    metadata,
    sa.Column("ecosystem", sa.String(100), primary_key=True),
    sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
    sa.Column("advisory_count", sa.Integer(), nullable=False),
    sa.Column("source", sa.Text(), nullable=True),
    # Newest `modified` seen in a complete export; NULL after a partial import, which forces the next
    # update to fetch the full export instead of trusting an incomplete baseline.
    sa.Column("watermark", sa.String(40), nullable=True),
)

seen_ecosystems = sa.Table(
    "seen_ecosystems",
    metadata,
    # A base ecosystem (`index_key` spelling) some scan looked packages up under: `db update` fetches it.
    sa.Column("ecosystem", sa.String(100), primary_key=True),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    # Package names looked up under it by the most recent scan that needed it.
    sa.Column("packages", sa.Integer(), nullable=False),
)

# Registered on the same metadata, so `schema.metadata` describes the whole database (tests compare it with the
# migrated one). Imported last: the inventory tables do not depend on the advisory tables.
from regwarden.store import access_schema as _access_tables  # noqa: E402, F401
from regwarden.store import audit_schema as _audit_tables  # noqa: E402, F401
from regwarden.store import inventory_schema as _inventory_tables  # noqa: E402, F401
from regwarden.store import jobs_schema as _jobs_tables  # noqa: E402, F401
from regwarden.store import posture_schema as _posture_tables  # noqa: E402, F401
from regwarden.store import quarantine_schema as _quarantine_tables  # noqa: E402, F401
from regwarden.store import signature_schema as _signature_tables  # noqa: E402, F401
