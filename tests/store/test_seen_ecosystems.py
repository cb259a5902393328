"""The seen-ecosystems repository on SQLite and PostgreSQL: an upsert per ecosystem, read back sorted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from regwarden.model.errors import BadInputError
from regwarden.store import open_store
from regwarden.store.schema import seen_ecosystems

FIRST = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _rows(db_url: str) -> set[tuple[str, datetime, int]]:
    with open_store(db_url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(seen_ecosystems)).all()
    # SQLite hands back naive datetimes; every stored time is UTC.
    return {
        (r.ecosystem, r.last_seen.replace(tzinfo=UTC) if r.last_seen.tzinfo is None else r.last_seen, r.packages)
        for r in rows
    }


def test_record_seen_inserts_then_updates_in_place(db_url: str) -> None:
    with open_store(db_url) as store:
        store.advisories.record_seen({"PyPI": 3, "Debian": 40}, FIRST)
        store.advisories.record_seen({"PyPI": 5, "npm": 1}, LATER)
        assert store.advisories.seen_ecosystems() == ["Debian", "PyPI", "npm"]
    assert _rows(db_url) == {("Debian", FIRST, 40), ("PyPI", LATER, 5), ("npm", LATER, 1)}


def test_nothing_seen_records_nothing(db_url: str) -> None:
    with open_store(db_url) as store:
        store.advisories.record_seen({}, FIRST)
        assert store.advisories.seen_ecosystems() == []


def test_a_naive_time_is_refused(db_url: str) -> None:
    with open_store(db_url) as store, pytest.raises(BadInputError, match="timezone-aware"):
        store.advisories.record_seen({"PyPI": 1}, datetime(2026, 11, 1, 8, 0))
    assert _rows(db_url) == set()
