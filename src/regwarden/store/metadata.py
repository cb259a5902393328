"""The one `MetaData` every table of the store is declared on (advisories and inventory alike)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Surrogate keys: 64-bit on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY."""
DIGEST = sa.String(100)
"""`sha256:` plus 64 hex digits, with room for sha512."""
MOMENT = sa.DateTime(timezone=True)
"""Every stored time is UTC; SQLite hands them back naive (see times.aware)."""
