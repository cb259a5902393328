"""Many lookups in a few queries: the candidate advisories of a whole SBOM, as match views.

One query per chunk of keys asks the affected index for every row whose ecosystem and name are among the chunk's
(`ecosystem_base IN (...) AND name IN (...)` is a seek on the index's leading columns on SQLite and PostgreSQL,
where a row-value `IN` made SQLite scan the whole index); pairs the chunk did not ask for are dropped here.
Rows come back ordered by key and advisory id, the order `lookup` returns, so matching sees the same sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regwarden.model.advisory import Advisory
from regwarden.store import records as rec
from regwarden.store.match_view import Key, ViewDecoder
from regwarden.store.schema import advisories, affected_index
from regwarden.vuln.ecosystems import index_key

LOOKUP_CHUNK = 400
"""Keys per query: at most 400 names and a few ecosystems as bound parameters, far below every driver's limit."""

EntryFilter = Callable[[Key, str], bool]
"""(key, an entry's ecosystem as written, e.g. `Debian:11`) -> whether the caller can use entries of it."""


def lookup_many(
    conn: Connection, keys: Sequence[Key], wanted: EntryFilter | None, decoder: ViewDecoder
) -> dict[Key, list[Advisory]]:
    found: dict[Key, list[Advisory]] = {key: [] for key in keys}
    if wanted is not None:
        wanted = _memoised(wanted)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = set(keys[start : start + LOOKUP_CHUNK])
        decoded: list[tuple[Key, str, Advisory | None]] = []
        for key, advisory_id, view in _rows(conn, chunk):
            advisory = _decode(decoder, key, view, wanted) if key in chunk else _NOTHING
            if advisory is not _NOTHING:
                decoded.append((key, advisory_id, advisory))
        # Rows written before the match view existed (or in another format): the whole record still answers.
        whole = _decode_raw(conn, sorted({advisory_id for _, advisory_id, item in decoded if item is None}))
        for key, advisory_id, item in decoded:
            advisory = item if item is not None else _restricted(whole[advisory_id], key, wanted)
            if advisory is not None:
                found[key].append(advisory)
    return found


_NOTHING = Advisory(id="", modified="")
"""A row the caller has no use for: another chunk's pair, withdrawn, or none of its entries wanted."""


def _memoised(wanted: EntryFilter) -> EntryFilter:
    # Asked once per entry of every candidate, about a few dozen distinct (key, ecosystem) pairs.
    answers: dict[tuple[Key, str], bool] = {}

    def memoised(key: Key, ecosystem: str) -> bool:
        answer = answers.get((key, ecosystem))
        if answer is None:
            answer = answers[(key, ecosystem)] = wanted(key, ecosystem)
        return answer

    return memoised


def _rows(conn: Connection, chunk: set[Key]) -> Iterator[tuple[Key, str, str | None]]:
    query = (
        sa.select(affected_index.c.ecosystem_base, affected_index.c.name, affected_index.c.advisory_id)
        .add_columns(affected_index.c.match_view)
        .where(
            affected_index.c.ecosystem_base.in_(sorted({base for base, _ in chunk})),
            affected_index.c.name.in_(sorted({name for _, name in chunk})),
        )
        .order_by(affected_index.c.ecosystem_base, affected_index.c.name, affected_index.c.advisory_id)
    )
    for base, name, advisory_id, view in conn.execute(query).all():
        yield (base, name), advisory_id, view


def _decode(decoder: ViewDecoder, key: Key, view: str | None, wanted: EntryFilter | None) -> Advisory | None:
    """The view's advisory; `_NOTHING` when the caller wants nothing of it; None when only `raw` can answer."""
    if view is None:
        return None
    advisory = decoder.decode(view, None if wanted is None else (lambda ecosystem: wanted(key, ecosystem)))
    if advisory is not None and (advisory.withdrawn or not advisory.affected):
        return _NOTHING
    return advisory


def _restricted(advisory: Advisory, key: Key, wanted: EntryFilter | None) -> Advisory | None:
    """A whole record cut down like a view: only its entries under `key` that the caller wants."""
    if advisory.withdrawn:
        return None
    entries = tuple(
        entry
        for entry in advisory.affected
        if index_key(entry.ecosystem, entry.name) == key and (wanted is None or wanted(key, entry.ecosystem))
    )
    return replace(advisory, affected=entries) if entries else None


def _decode_raw(conn: Connection, ids: Sequence[str]) -> dict[str, Advisory]:
    decoded: dict[str, Advisory] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        query = sa.select(advisories.c.id, advisories.c.raw, advisories.c.source).where(advisories.c.id.in_(chunk))
        decoded |= {row.id: rec.decode(row.raw, row.source) for row in conn.execute(query)}
    return decoded
