"""Where images live: registries, repositories, which digests each repository holds, and tag history.

Tag history is a list of facts: tag T of repository R pointed at digest D from `first_seen` to `last_seen`, and
moved away at `moved_at` (NULL while it still points there). A re-sync that finds nothing new only moves
`last_seen` forward, in two statements per repository.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.model.catalog import ManifestListing
from regwarden.model.sync import TagMove
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import image_locations, registries, repositories, tag_history
from regwarden.store.moments import aware_now
from regwarden.store.upsert import dialect_insert


@dataclass(frozen=True)
class ListingChanges:
    moves: tuple[TagMove, ...]
    gone: tuple[str, ...]
    """Digests a complete listing no longer holds."""


class LocationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def repository_id(self, host: str, name: str, kind: str = "oci") -> int:
        """The id of repository `name` of registry `host`, created on first use."""
        with self._engine.begin() as conn:
            conn.execute(dialect_insert(conn, registries).on_conflict_do_nothing(), [{"host": host, "kind": kind}])
            if kind != "oci":
                conn.execute(sa.update(registries).where(registries.c.host == host).values(kind=kind))
            registry_id = conn.execute(sa.select(registries.c.id).where(registries.c.host == host)).scalar_one()
            conn.execute(
                dialect_insert(conn, repositories).on_conflict_do_nothing(),
                [{"registry_id": registry_id, "name": name}],
            )
            query = sa.select(repositories.c.id).where(
                repositories.c.registry_id == registry_id, repositories.c.name == name
            )
            return int(conn.execute(query).scalar_one())

    def record_listing(
        self,
        repository_id: int,
        listings: Sequence[ManifestListing],
        *,
        complete: bool,
        now: datetime | None = None,
    ) -> ListingChanges:
        """Record what one repository holds now. `complete`: the listing names every manifest, untagged ones
        included (ACR), so a digest it lacks is gone; otherwise only tags are complete (tags/list)."""
        moment = aware_now(now)
        tags = {tag: listing.digest for listing in listings for tag in listing.tags}
        with self._engine.begin() as conn:
            label = _label(conn, repository_id)
            moves = _record_tags(conn, repository_id, label, tags, moment, drop_missing=True)
            _record_locations(conn, repository_id, listings, moment)
            gone = _mark_gone(conn, repository_id, {item.digest for item in listings}, moment) if complete else ()
        return ListingChanges(moves, gone)

    def record_tag(
        self, repository_id: int, tag: str | None, digest: str, now: datetime | None = None
    ) -> TagMove | None:
        """One image pushed (or recorded by CI): its location, and its tag when it has one."""
        moment = aware_now(now)
        with self._engine.begin() as conn:
            _record_locations(conn, repository_id, [ManifestListing("", digest)], moment)
            if tag is None:
                return None
            moves = _record_tags(conn, repository_id, _label(conn, repository_id), {tag: digest}, moment)
        return moves[0] if moves else None

    def record_deletion(
        self, repository_id: int, *, digest: str | None, tag: str | None, now: datetime | None = None
    ) -> None:
        """A delete the registry announced: a manifest (its location and every tag on it end) or one tag."""
        moment = aware_now(now)
        with self._engine.begin() as conn:
            current = sa.update(tag_history).where(
                tag_history.c.repository_id == repository_id, tag_history.c.moved_at.is_(None)
            )
            if digest is not None:
                location = sa.update(image_locations).where(
                    image_locations.c.repository_id == repository_id, image_locations.c.digest == digest
                )
                conn.execute(location.values(gone_at=moment))
                conn.execute(current.where(tag_history.c.digest == digest).values(moved_at=moment))
            elif tag is not None:
                conn.execute(current.where(tag_history.c.tag == tag).values(moved_at=moment))

    def mark_synced(self, host: str, now: datetime | None = None) -> None:
        with self._engine.begin() as conn:
            conn.execute(sa.update(registries).where(registries.c.host == host).values(last_synced_at=aware_now(now)))


def _label(conn: Connection, repository_id: int) -> str:
    query = (
        sa.select(registries.c.host, repositories.c.name)
        .join(registries, registries.c.id == repositories.c.registry_id)
        .where(repositories.c.id == repository_id)
    )
    row = conn.execute(query).one()
    return f"{row.host}/{row.name}"


def _record_tags(
    conn: Connection,
    repository_id: int,
    label: str,
    tags: Mapping[str, str],
    moment: datetime,
    *,
    drop_missing: bool = False,
) -> tuple[TagMove, ...]:
    current_query = sa.select(tag_history.c.id, tag_history.c.tag, tag_history.c.digest).where(
        tag_history.c.repository_id == repository_id, tag_history.c.moved_at.is_(None)
    )
    current = {str(row.tag): (int(row.id), str(row.digest)) for row in conn.execute(current_query)}
    moves = [TagMove(label, tag, current[tag][1] if tag in current else None, digest) for tag, digest in tags.items()]
    moves = [move for move in moves if move.before != move.after]
    if drop_missing:
        moves += [TagMove(label, tag, digest, None) for tag, (_, digest) in current.items() if tag not in tags]
    ended = [current[move.tag][0] for move in moves if move.before is not None]
    for chunk in chunks(ended):
        conn.execute(sa.update(tag_history).where(tag_history.c.id.in_(chunk)).values(moved_at=moment))
    touched = sa.update(tag_history).where(
        tag_history.c.repository_id == repository_id, tag_history.c.moved_at.is_(None)
    )
    if not drop_missing:
        touched = touched.where(tag_history.c.tag.in_(list(tags)))
    conn.execute(touched.values(last_seen=moment))
    started = [
        {"repository_id": repository_id, "tag": m.tag, "digest": m.after, "first_seen": moment, "last_seen": moment}
        for m in moves
        if m.after is not None
    ]
    if started:
        conn.execute(sa.insert(tag_history), started)
    return tuple(sorted(moves, key=lambda move: move.tag))


def _record_locations(
    conn: Connection, repository_id: int, listings: Sequence[ManifestListing], moment: datetime
) -> None:
    rows = {
        item.digest: {
            "repository_id": repository_id,
            "digest": item.digest,
            "pushed_at": item.created,
            "first_seen": moment,
            "last_seen": moment,
            "gone_at": None,
        }
        for item in listings
    }
    if not rows:
        return
    insert = dialect_insert(conn, image_locations)
    statement = insert.on_conflict_do_update(
        index_elements=[image_locations.c.repository_id, image_locations.c.digest],
        set_={
            "last_seen": insert.excluded.last_seen,
            "gone_at": None,
            "pushed_at": sa.func.coalesce(insert.excluded.pushed_at, image_locations.c.pushed_at),
        },
    )
    conn.execute(statement, list(rows.values()))


def _mark_gone(conn: Connection, repository_id: int, listed: set[str], moment: datetime) -> tuple[str, ...]:
    query = sa.select(image_locations.c.digest).where(
        image_locations.c.repository_id == repository_id, image_locations.c.gone_at.is_(None)
    )
    gone = sorted(str(row.digest) for row in conn.execute(query) if row.digest not in listed)
    for chunk in chunks(gone):
        conn.execute(
            sa.update(image_locations)
            .where(image_locations.c.repository_id == repository_id, image_locations.c.digest.in_(chunk))
            .values(gone_at=moment)
        )
    return tuple(gone)
