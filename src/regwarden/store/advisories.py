"""The advisory repository: write OSV records in one transaction, look them up by (ecosystem, name).

Writes are atomic: `replace_collection` and `merge` run inside a single transaction, so a failure part-way (a
crash, a database error) leaves the previous records answering lookups. Callers verify downloads *before*
calling in, so a corrupt export never reaches the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.model.advisory import Advisory
from regwarden.model.advisory_database import EcosystemStatus, RejectedRecord
from regwarden.store import batch_lookup, seen
from regwarden.store import records as rec
from regwarden.store.batch_lookup import EntryFilter
from regwarden.store.match_view import ViewDecoder
from regwarden.store.moments import aware
from regwarden.store.schema import advisories, affected_index, aliases, ecosystem_status
from regwarden.vuln.ecosystems import index_key

BATCH_SIZE = 2000
RawRecord = tuple[str, bytes]


@dataclass(frozen=True)
class WriteReport:
    written: int
    rejected: tuple[RejectedRecord, ...]
    kept_newer: tuple[str, ...]
    """Ids skipped by a merge because the store already holds a newer `modified` of them."""
    collections: tuple[str, ...]
    """The collections (export ecosystems) this write touched, sorted."""
    changed: tuple[str, ...] = ()
    """Ids that are new or whose `modified` changed: what the inventory must re-match (service/rematch.py)."""
    removed: tuple[str, ...] = ()
    """Ids a complete export no longer holds: findings that rested on them are re-evaluated too."""


class AdvisoryRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._views = ViewDecoder()

    def lookup(self, ecosystem: str, name: str) -> list[Advisory]:
        """Every non-withdrawn advisory with an affected entry filed under `index_key(ecosystem, name)`."""
        base, normalised = index_key(ecosystem, name)
        matching = sa.select(affected_index.c.advisory_id).where(
            affected_index.c.ecosystem_base == base, affected_index.c.name == normalised
        )
        query = (
            sa.select(advisories.c.raw, advisories.c.source)
            .where(advisories.c.id.in_(matching), advisories.c.withdrawn.is_(None))
            .order_by(advisories.c.id)
        )
        with self._engine.connect() as conn:
            return [rec.decode(row.raw, row.source) for row in conn.execute(query)]

    def lookup_many(
        self, keys: Iterable[tuple[str, str]], wanted: EntryFilter | None = None
    ) -> dict[tuple[str, str], list[Advisory]]:
        """`lookup` for many keys at once, in a few queries, returning match views (store/match_view.py).

        Each key maps to what `lookup` returns for it, in the same order, except that every advisory carries
        only its affected entries filed under that key, and none of the fields matching never reads (details,
        references, related ids, published). `wanted(key, ecosystem)` False leaves an entry out too, and an
        advisory left without entries is left out. Keys are given as `lookup` takes them and returned as
        `index_key` spells them; a key with no advisories maps to an empty list. Decoded views are kept for the
        next call (store/match_view.ViewDecoder), so a long-lived process matches repeated scans faster.
        """
        normalised = sorted({index_key(*key) for key in keys})
        with self._engine.connect() as conn:
            return batch_lookup.lookup_many(conn, normalised, wanted, self._views)

    def by_id_or_alias(self, identifier: str) -> list[Advisory]:
        """The advisories whose id or alias is `identifier` (a CVE usually has several), withdrawn included."""
        aliased = sa.select(aliases.c.advisory_id).where(aliases.c.alias == identifier)
        query = (
            sa.select(advisories.c.raw, advisories.c.source)
            .where(sa.or_(advisories.c.id == identifier, advisories.c.id.in_(aliased)))
            .order_by(advisories.c.id)
        )
        with self._engine.connect() as conn:
            return [rec.decode(row.raw, row.source) for row in conn.execute(query)]

    def index_keys_of(self, advisory_ids: Iterable[str]) -> set[tuple[str, str]]:
        """The lookup keys (base ecosystem, normalised name) the stored advisories with these ids are filed under."""
        wanted = sorted(set(advisory_ids))
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), BATCH_SIZE):
                chunk = wanted[start : start + BATCH_SIZE]
                query = sa.select(affected_index.c.ecosystem_base, affected_index.c.name).where(
                    affected_index.c.advisory_id.in_(chunk)
                )
                found |= {(row.ecosystem_base, row.name) for row in conn.execute(query)}
        return found

    def status(self) -> list[EcosystemStatus]:
        query = sa.select(ecosystem_status).order_by(ecosystem_status.c.ecosystem)
        with self._engine.connect() as conn:
            return [
                EcosystemStatus(row.ecosystem, row.advisory_count, aware(row.last_updated), row.source, row.watermark)
                for row in conn.execute(query)
            ]

    def watermark(self, ecosystem: str) -> str | None:
        query = sa.select(ecosystem_status.c.watermark).where(ecosystem_status.c.ecosystem == ecosystem)
        with self._engine.connect() as conn:
            value: str | None = conn.execute(query).scalar_one_or_none()
            return value

    def newest_update(self) -> datetime | None:
        with self._engine.connect() as conn:
            return aware(conn.execute(sa.select(sa.func.max(ecosystem_status.c.last_updated))).scalar())

    def oldest_update(self) -> datetime | None:
        with self._engine.connect() as conn:
            return aware(conn.execute(sa.select(sa.func.min(ecosystem_status.c.last_updated))).scalar())

    def is_empty(self) -> bool:
        with self._engine.connect() as conn:
            return conn.execute(sa.select(advisories.c.id).limit(1)).first() is None

    def record_seen(self, counts: Mapping[str, int], when: datetime) -> None:
        """Note that a scan at `when` looked up `counts[e]` package names under base ecosystem `e`."""
        with self._engine.begin() as conn:
            seen.record_seen(conn, counts, when)

    def seen_ecosystems(self) -> list[str]:
        """Every base ecosystem some scan has needed, sorted: `db update`'s default (service/database.py)."""
        with self._engine.connect() as conn:
            return seen.seen(conn)

    def mark_current(self, collection: str) -> None:
        """Record that `collection` was just checked against its source and found unchanged (resets its age)."""
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(ecosystem_status)
                .where(ecosystem_status.c.ecosystem == collection)
                .values(last_updated=datetime.now(UTC))
            )

    def replace_collection(self, collection: str, records: Iterable[RawRecord], *, source: str | None) -> WriteReport:
        """Make `collection` hold exactly `records` (a complete export), in one transaction.

        The watermark becomes the newest `modified` written: a complete export is a baseline for increments.
        """
        with self._engine.begin() as conn:
            previous = _stored_versions(conn, advisories.c.collection == collection)
            _delete_collection(conn, collection)
            outcome = _write(conn, records, collection, source, previous=previous)
            _record_status(conn, [collection], source, outcome.newest, keep_watermark=False)
        removed = tuple(sorted(set(previous) - outcome.written_ids))
        return WriteReport(
            outcome.written, tuple(outcome.rejected), (), (collection,), tuple(sorted(outcome.changed)), removed
        )

    def merge(
        self,
        records: Iterable[RawRecord],
        *,
        collection: str | None,
        source: str | None,
        watermark: str | None = None,
    ) -> WriteReport:
        """Add or replace `records` by id, in one transaction; nothing else is removed.

        `collection=None` files each record under its first affected entry's base ecosystem (imports).
        `watermark=None` keeps the collection's watermark: the stored set stays complete up to it.
        """
        with self._engine.begin() as conn:
            outcome = _write(conn, records, collection, source, keep_newer=True)
            touched = outcome.touched | ({collection} if collection is not None else set())
            _record_status(conn, sorted(touched), source, watermark, keep_watermark=watermark is None)
        return WriteReport(
            outcome.written,
            tuple(outcome.rejected),
            tuple(outcome.kept_newer),
            tuple(sorted(touched)),
            tuple(sorted(outcome.changed)),
        )


@dataclass
class _Outcome:
    written: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    newest: str | None = None
    written_ids: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)


def _write(
    conn: Connection,
    records: Iterable[RawRecord],
    collection: str | None,
    source: str | None,
    *,
    keep_newer: bool = False,
    previous: Mapping[str, str] | None = None,
) -> _Outcome:
    """Write `records` in batches. `previous` (id → modified) is what the collection held before a replace;
    without it, each batch's ids are looked up, so the outcome says which records are new or changed."""
    outcome = _Outcome()
    for batch in _batches(records):
        prepared: dict[str, rec.StoredRecord] = {}
        for record_id, data in batch:
            item = rec.prepare(record_id, data, source)
            if isinstance(item, RejectedRecord):
                outcome.rejected.append(item)
            else:
                # A duplicate id within one write: the later record wins, as a re-import would.
                prepared[item.advisory.id] = item
        stored = previous if previous is not None else _stored_versions(conn, advisories.c.id.in_(list(prepared)))
        if keep_newer:
            # An old bundle imported over a fresh database must not roll advisories back.
            for stale in sorted(i for i in prepared if i in stored and stored[i] > prepared[i].modified):
                outcome.kept_newer.append(prepared.pop(stale).advisory.id)
        if prepared:
            outcome.touched |= _insert(conn, list(prepared.values()), collection, source)
            outcome.written += len(prepared)
            outcome.written_ids |= prepared.keys()
            outcome.changed |= {i for i, item in prepared.items() if stored.get(i) != item.modified}
            outcome.newest = max(filter(None, (outcome.newest, rec.newest(prepared.values()))))
    return outcome


def _stored_versions(conn: Connection, where: sa.ColumnElement[bool]) -> dict[str, str]:
    """id → stored `modified` of the advisories `where` selects."""
    query = sa.select(advisories.c.id, advisories.c.modified).where(where)
    return {row.id: row.modified for row in conn.execute(query)}


def _insert(
    conn: Connection, stored: Sequence[rec.StoredRecord], collection: str | None, source: str | None
) -> set[str]:
    ids = [item.advisory.id for item in stored]
    _delete_ids(conn, ids)
    rows = [_advisory_row(item, collection or item.base_ecosystem, source) for item in stored]
    conn.execute(sa.insert(advisories), rows)
    keys = [
        {"ecosystem_base": key[0], "name": key[1], "advisory_id": item.advisory.id, "match_view": item.views.get(key)}
        for item in stored
        for key in sorted(item.index_keys)
    ]
    if keys:
        conn.execute(sa.insert(affected_index), keys)
    alias_rows = [{"alias": a, "advisory_id": item.advisory.id} for item in stored for a in sorted(item.aliases)]
    if alias_rows:
        conn.execute(sa.insert(aliases), alias_rows)
    return {str(row["collection"]) for row in rows}


def _advisory_row(item: rec.StoredRecord, collection: str, source: str | None) -> dict[str, object]:
    return {
        "id": item.advisory.id,
        "modified": item.modified,
        "published": item.published,
        "withdrawn": item.withdrawn,
        "collection": collection,
        "source": source,
        "raw": item.raw,
    }


def _delete_ids(conn: Connection, ids: Sequence[str]) -> None:
    # Children first and explicitly: SQLite enforces ON DELETE CASCADE only with a per-connection pragma.
    conn.execute(sa.delete(affected_index).where(affected_index.c.advisory_id.in_(ids)))
    conn.execute(sa.delete(aliases).where(aliases.c.advisory_id.in_(ids)))
    conn.execute(sa.delete(advisories).where(advisories.c.id.in_(ids)))


def _delete_collection(conn: Connection, collection: str) -> None:
    members = sa.select(advisories.c.id).where(advisories.c.collection == collection)
    conn.execute(sa.delete(affected_index).where(affected_index.c.advisory_id.in_(members)))
    conn.execute(sa.delete(aliases).where(aliases.c.advisory_id.in_(members)))
    conn.execute(sa.delete(advisories).where(advisories.c.collection == collection))


def _record_status(
    conn: Connection,
    collections: Sequence[str],
    source: str | None,
    watermark: str | None,
    *,
    keep_watermark: bool,
) -> None:
    now = datetime.now(UTC)
    for collection in collections:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(advisories).where(advisories.c.collection == collection)
        ).scalar_one()
        where = ecosystem_status.c.ecosystem == collection
        previous = conn.execute(sa.select(ecosystem_status.c.watermark).where(where)).scalar_one_or_none()
        conn.execute(sa.delete(ecosystem_status).where(where))
        row = {
            "ecosystem": collection,
            "last_updated": now,
            "advisory_count": count,
            "source": source,
            "watermark": previous if keep_watermark else watermark,
        }
        conn.execute(sa.insert(ecosystem_status), [row])


def _batches(records: Iterable[RawRecord]) -> Iterator[list[RawRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch
