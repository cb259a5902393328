"""`INSERT … ON CONFLICT` in the backend's own spelling (SQLite 3.24+ and PostgreSQL spell it alike).

Upserts rather than select-then-insert: two writers (two sync workers, two scans) finishing together never
collide on a unique key.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def dialect_insert(conn: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An Insert with `on_conflict_do_nothing` / `on_conflict_do_update` for the connection's backend."""
    # engine.py admits only these two backends.
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
