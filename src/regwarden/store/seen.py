"""Which base ecosystems scans needed: an upsert per ecosystem, read back by `db update` without `-e`.

The upsert is the backend's own `INSERT ... ON CONFLICT DO UPDATE` (SQLite 3.24+ and PostgreSQL spell it
alike), so two scans finishing together never collide on the primary key the way select-then-insert could.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regwarden.model.errors import BadInputError
from regwarden.store.schema import seen_ecosystems
from regwarden.store.upsert import dialect_insert


def record_seen(conn: Connection, counts: Mapping[str, int], when: datetime) -> None:
    """Upsert one row per ecosystem: `when` becomes its last_seen and its count the package count."""
    if when.tzinfo is None:
        raise BadInputError("record_seen needs a timezone-aware time")
    rows = [{"ecosystem": name, "last_seen": when, "packages": count} for name, count in sorted(counts.items())]
    if not rows:
        return
    insert = dialect_insert(conn, seen_ecosystems)
    statement = insert.on_conflict_do_update(
        index_elements=[seen_ecosystems.c.ecosystem],
        set_={"last_seen": insert.excluded.last_seen, "packages": insert.excluded.packages},
    )
    conn.execute(statement, rows)


def seen(conn: Connection) -> list[str]:
    query = sa.select(seen_ecosystems.c.ecosystem).order_by(seen_ecosystems.c.ecosystem)
    return [str(name) for name in conn.execute(query).scalars()]
