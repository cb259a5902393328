"""The server's background work, in one thread of its own process: registry push events queued by the webhook
routes (catalogued here, never inside the request), the risk summaries, and `watch` rounds.

A watch round is service/watch.run_round under the `watch` lease, exactly as `regwarden watch` runs it: with a
separate `regwarden watch` (or a second server) running, whoever holds the lease does the round and the others
skip it. Push events wait in a bounded in-memory queue; one that is lost (a restart) is caught by the next
registry sync. Nothing here ever raises into the server: a failing step is logged and retried next time.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from regwarden.model.errors import RegwardenError

if TYPE_CHECKING:
    from regwarden.service.settings import Settings
    from regwarden.store import Store
    from regwarden.web.settings import ServerSettings
    from regwarden.web.summaries import Summaries

log = logging.getLogger("regwarden.server")
QUEUE_LIMIT = 1000


@dataclass(frozen=True)
class QueuedPush:
    body: bytes
    registry: str | None
    received_at: datetime


@dataclass
class JobState:
    last_round: datetime | None = None
    last_round_steps: list[tuple[str, str]] = field(default_factory=list)
    ingested: int = 0
    ingest_failures: int = 0


class BackgroundJobs:
    def __init__(self, store: Store, settings: ServerSettings, summaries: Summaries) -> None:
        self._store = store
        self._settings = settings
        self._summaries = summaries
        self._stop = threading.Event()
        self._pushes: queue.Queue[QueuedPush] = queue.Queue(QUEUE_LIMIT)
        self._thread: threading.Thread | None = None
        self.state = JobState()

    def enqueue(self, push: QueuedPush) -> bool:
        """Queue a registry push for cataloguing; False when the queue is full (the caller answers 503)."""
        try:
            self._pushes.put_nowait(push)
        except queue.Full:
            return False
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="regwarden-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        settings = self._load_watch_settings()
        next_summary = next_round = time.monotonic()
        while not self._stop.is_set():
            self._drain_pushes()
            now = time.monotonic()
            if now >= next_summary or self._summaries.stale.is_set():
                self._guarded("summaries", self._summaries.refresh)
                next_summary = time.monotonic() + self._settings.summary_interval.total_seconds()
            if settings is not None and now >= next_round:
                self._guarded("watch round", lambda: self._round(settings))
                next_round = time.monotonic() + settings.interval.total_seconds()
            self._wait(min(next_summary, next_round if settings else next_summary) - time.monotonic())

    def _wait(self, seconds: float) -> None:
        # Wake early for a push or a change: poll the queue in short steps while waiting.
        deadline = time.monotonic() + max(0.0, seconds)
        while not self._stop.is_set() and time.monotonic() < deadline:
            if not self._pushes.empty() or self._summaries.stale.is_set():
                return
            self._stop.wait(min(0.2, max(0.0, deadline - time.monotonic())))

    def _drain_pushes(self) -> None:
        from regwarden.service.images import ImageOptions
        from regwarden.service.ingest import ingest_events

        changed = False
        while not self._stop.is_set():
            try:
                push = self._pushes.get_nowait()
            except queue.Empty:
                break
            try:
                options = ImageOptions(insecure=self._settings.insecure_registries)
                report = ingest_events(self._store, push.body, options, registry=push.registry)
            except RegwardenError as error:
                self.state.ingest_failures += 1
                log.warning("registry event not ingested: %s", error)
                continue
            self.state.ingested += 1
            changed = changed or bool(report.catalogued or report.deleted)
        if changed:
            self._summaries.stale.set()

    def _load_watch_settings(self) -> Settings | None:
        """The config file's watch settings; None (no rounds) without a config file or with a broken one."""
        from regwarden.service.settings import load_settings

        try:
            settings = load_settings(self._settings.config_file)
        except RegwardenError as error:
            log.warning("background watch disabled: %s", error)
            return None
        return settings if settings.source is not None else None

    def _round(self, settings: Settings) -> None:
        from regwarden.service.watch import LEASE, WatchOptions, run_round

        options = WatchOptions(db_url=self._settings.db_url, update_advisories=self._settings.update_advisories)
        if not self._store.leases.acquire(LEASE, options.owner, ttl=settings.interval * 3):
            log.info("the watch lease is held elsewhere: this round is skipped")
            return
        try:
            report = run_round(self._store, settings, options, self._stop, log.info)
        finally:
            self._store.leases.release(LEASE, options.owner)
        self.state.last_round, self.state.last_round_steps = report.started, list(report.steps)
        self._summaries.stale.set()

    def _guarded(self, name: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # the server must outlive any one failing job step
            log.exception("background %s failed", name)
