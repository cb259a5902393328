"""Every admission decision is logged, and every denial becomes an event that reaches the configured webhooks.

- The log: one JSON object per line on stderr (report/admission_review.py `decision_record`: the object, each
  image, each check and its reason, the mode, the time taken), written before the answer leaves.
- Events: a denial (or, in audit mode, what would have been one) is queued as an `admission.denied` event, written
  by a background thread in batches (one transaction each, with an outbox row per webhook: store/events.py), then
  delivered (service/notify.py) when this process delivers. Never on the request's path: a slow database does
  not slow admission. The same refusal of the same object is raised once per `events.repeatAfter` (a ReplicaSet
  retrying a denied pod would otherwise raise one every few seconds). Dry-run requests log and raise nothing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from regwarden.inventory.events import ADMISSION_DENIED, NewEvent
from regwarden.model.admission import AdmissionDecision, AdmissionRequest
from regwarden.report.admission_review import decision_record, log_line
from regwarden.service.admission_cache import ExpiringLru

if TYPE_CHECKING:
    from regwarden.store import Store

MAX_QUEUED = 10_000
BATCH = 200


class EventWriter:
    """Writes queued events in batches from one thread; `deliver` runs after each batch (webhook delivery)."""

    def __init__(
        self,
        store: Store,
        endpoints: Sequence[str],
        log: Callable[[bytes], None],
        deliver: Callable[[], None] | None = None,
        max_queued: int = MAX_QUEUED,
    ) -> None:
        self._store, self._endpoints, self._log, self._deliver = store, tuple(endpoints), log, deliver
        # Bounded: a database that stops answering must not grow the webhook's memory; a dropped event is logged.
        self._queue: queue.Queue[NewEvent | None] = queue.Queue(max_queued)
        self._thread = threading.Thread(target=self._run, name="admission-events", daemon=True)
        self.dropped = 0
        self.written = 0

    def start(self) -> None:
        self._thread.start()

    def put(self, event: NewEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            self._log(log_line({"event": "admission.events", "error": "event queue full: an event was dropped"}))

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            self._write(batch)

    def _next_batch(self) -> tuple[list[NewEvent], bool]:
        """Up to BATCH queued events (waiting for the first), and whether stop() was asked after them."""
        batch: list[NewEvent] = []
        item = self._queue.get()
        while item is not None:
            batch.append(item)
            if len(batch) >= BATCH:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _write(self, batch: list[NewEvent]) -> None:
        from regwarden.store.events import insert_events

        if not batch:
            return
        try:
            with self._store.engine.begin() as conn:
                self.written += insert_events(conn, batch, self._endpoints, datetime.now(UTC))
            if self._deliver is not None:
                self._deliver()
        except Exception as error:  # logged and survived: the webhook must keep answering
            self._log(log_line({"event": "admission.events", "error": f"{type(error).__name__}: {error}"}))


class DecisionLog:
    def __init__(
        self,
        write: Callable[[bytes], None],
        events: EventWriter | None = None,
        repeat_after: float = 3600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._write, self._events, self._clock = write, events, clock
        self._lock = threading.Lock()
        self._raised: ExpiringLru[tuple[object, ...], bool] = ExpiringLru(10_000, repeat_after)

    def record(self, request: AdmissionRequest, decision: AdmissionDecision) -> None:
        record = decision_record(request, decision, self._clock())
        line = log_line(record)
        with self._lock:
            self._write(line)
        if self._events is None or request.dry_run or not decision.would_deny:
            return
        key = _repeat_key(request, decision)
        if self._raised.get(key) is None:
            self._raised.put(key, True)
            self._events.put(admission_event(request, decision, record))


def admission_event(request: AdmissionRequest, decision: AdmissionDecision, record: dict[str, Any]) -> NewEvent:
    """The `admission.denied` event: what was refused, where, and why (the log record's images and reasons)."""
    refused = [verdict for verdict in decision.verdicts if not verdict.allowed]
    verb = "denied" if not decision.allowed else "would deny (audit mode)"
    causes = [f"{v.image}: {', '.join(r.value for r in v.reasons)}" for v in refused]
    if decision.error is not None:
        causes.append(f"could not decide: {decision.error}")
    summary = f"admission {verb} {request.object_label}: {'; '.join(causes)}"
    first = refused[0] if refused else None
    payload: dict[str, object] = {
        "admission": {
            "uid": request.uid, "mode": decision.mode.value, "allowed": decision.allowed,
            "operation": request.operation, "user": request.username,
        },
        "workload": {"namespace": request.namespace, "kind": request.kind, "name": request.name},
        "image": {"reference": first.reference if first else None, "digest": first.digest if first else None},
        "images": record["images"],
        "reasons": record["reasons"],
        "message": decision.message or "; ".join(decision.warnings),
    }  # fmt: skip
    key = f"{ADMISSION_DENIED}:{request.namespace}/{request.kind}/{request.name}:{request.uid}"
    return NewEvent(ADMISSION_DENIED, key, summary, payload)


def _repeat_key(request: AdmissionRequest, decision: AdmissionDecision) -> tuple[object, ...]:
    refused = tuple(sorted((v.reference, v.reasons) for v in decision.verdicts if not v.allowed))
    return (request.namespace, request.kind, request.name, decision.allowed, decision.error is not None, refused)
