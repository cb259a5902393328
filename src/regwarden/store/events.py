"""The event log and its outbox: events are written with one pending delivery per configured endpoint, in the
transaction that caused them; delivery (service/notify.py) marks each row delivered, retried, failed or skipped
(the endpoint's filter does not want the event)."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.inventory.events import NewEvent
from regwarden.model.inventory import Event
from regwarden.store.inventory_schema import deliveries, events
from regwarden.store.moments import aware, aware_now
from regwarden.store.upsert import dialect_insert

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class DueDelivery:
    event: Event
    endpoint: str
    attempts: int


def insert_events(conn: Connection, new_events: Sequence[NewEvent], endpoints: Sequence[str], moment: datetime) -> int:
    """Write events and their outbox rows on `conn` (the caller's transaction); returns how many were new.

    Batched: one INSERT for the events (an event whose key is already stored is skipped, so RETURNING leaves it out
    and it gets no outbox rows), one for the outbox."""
    rows = [
        {
            "kind": event.kind,
            "dedupe_key": f"{event.dedupe_key}@{moment.isoformat()}"[:255],
            "created_at": moment,
            "summary": event.summary,
            "payload": json.dumps(event.payload, sort_keys=True),
        }
        for event in new_events
    ]
    if not rows:
        return 0
    statement = (
        dialect_insert(conn, events).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(events.c.id)
    )
    inserted = sorted(int(event_id) for event_id in conn.execute(statement, rows).scalars())
    outbox = [
        {"event_id": event_id, "endpoint": name, "status": PENDING, "attempts": 0, "next_attempt_at": moment}
        for event_id in inserted
        for name in endpoints
    ]
    if outbox:
        conn.execute(sa.insert(deliveries), outbox)
    return len(inserted)


class EventRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def recent(self, *, kind: str | None = None, since: datetime | None = None, limit: int = 100) -> list[Event]:
        """The newest events first, with the state of their deliveries."""
        query = sa.select(events).order_by(events.c.id.desc()).limit(limit)
        if kind:
            query = query.where(events.c.kind == kind)
        if since:
            query = query.where(events.c.created_at >= since)
        with self._engine.connect() as conn:
            rows = list(conn.execute(query))
            states: dict[int, list[tuple[str, str, int]]] = {}
            if rows:
                outbox = sa.select(deliveries).where(deliveries.c.event_id.in_([row.id for row in rows]))
                for item in conn.execute(outbox.order_by(deliveries.c.endpoint)):
                    states.setdefault(int(item.event_id), []).append((item.endpoint, item.status, item.attempts))
        return [_event(row._mapping, tuple(states.get(int(row.id), []))) for row in rows]

    def due(
        self, now: datetime | None = None, limit: int = 100, endpoints: Collection[str] | None = None
    ) -> list[DueDelivery]:
        """Pending deliveries whose next attempt is due, oldest event first; only to `endpoints` when given."""
        query = (
            sa.select(deliveries.c.endpoint, deliveries.c.attempts, events)
            .join(events, events.c.id == deliveries.c.event_id)
            .where(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= aware_now(now))
            .order_by(events.c.id, deliveries.c.endpoint)
            .limit(limit)
        )
        if endpoints is not None:
            query = query.where(deliveries.c.endpoint.in_(sorted(endpoints)))
        with self._engine.connect() as conn:
            return [DueDelivery(_event(row._mapping), row.endpoint, row.attempts) for row in conn.execute(query)]

    def mark_delivered(self, event_id: int, endpoint: str, now: datetime | None = None) -> None:
        self._update(event_id, endpoint, status=DELIVERED, delivered_at=aware_now(now), last_error=None)

    def mark_retry(self, event_id: int, endpoint: str, attempts: int, next_attempt: datetime, error: str) -> None:
        self._update(event_id, endpoint, attempts=attempts, next_attempt_at=next_attempt, last_error=error)

    def mark_failed(self, event_id: int, endpoint: str, attempts: int, error: str) -> None:
        self._update(event_id, endpoint, status=FAILED, attempts=attempts, last_error=error)

    def mark_skipped(self, event_id: int, endpoint: str, reason: str) -> None:
        """Settled without sending: the endpoint's filter does not want this event (`reason` says why)."""
        self._update(event_id, endpoint, status=SKIPPED, last_error=reason)

    def pending_by_endpoint(self) -> dict[str, int]:
        """How many deliveries wait for each endpoint, due or not."""
        query = (
            sa.select(deliveries.c.endpoint, sa.func.count())
            .where(deliveries.c.status == PENDING)
            .group_by(deliveries.c.endpoint)
        )
        with self._engine.connect() as conn:
            return {str(endpoint): int(count) for endpoint, count in conn.execute(query)}

    def _update(self, event_id: int, endpoint: str, **values: object) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.event_id == event_id, deliveries.c.endpoint == endpoint)
                .values(**values)
            )


def _event(mapping: sa.RowMapping, states: tuple[tuple[str, str, int], ...] = ()) -> Event:
    return Event(
        id=int(mapping["id"]),
        kind=str(mapping["kind"]),
        created_at=aware(mapping["created_at"]) or aware_now(),
        summary=str(mapping["summary"]),
        payload=json.loads(mapping["payload"]),
        deliveries=states,
    )
