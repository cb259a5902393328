"""The quarantine worker: one background thread that processes due checks while the web app answers webhooks.

The webhook handler records the request and wakes the thread; the thread also polls, so checks received while it
was down (or whose retry time came) are taken up without a new webhook. One check at a time: scans are CPU-bound
and the machine is shared. The thread never dies of a failed check: the error is logged and the check retried
at its next time. `running()` starts and stops it around the web app's lifetime.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.service.quarantine import Received, WorkerSettings, process_due, receive_webhook
from regwarden.service.quarantine_gate import ClientFactory

if TYPE_CHECKING:
    from regwarden.model.quarantine import QuarantineCheck
    from regwarden.store import Store

DEFAULT_POLL_SECONDS = 10.0
Log = Callable[[str], None]


class QuarantineWorker:
    def __init__(
        self,
        store: Store,
        settings: WorkerSettings,
        clients: ClientFactory,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        log: Log = lambda _line: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._clients = clients
        self._poll_seconds = poll_seconds
        self._log = log
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None

    def receive(self, body: bytes) -> Received:
        """Record a webhook's requests (BadInputError for a malformed body) and wake the thread."""
        received = receive_webhook(self.store, body, self.settings.registries)
        if received.checks:
            self._idle.clear()
            self._wake.set()
        return received

    def checks(self, limit: int = 100) -> list[QuarantineCheck]:
        return self.store.quarantine.recent(limit)

    def wait_idle(self, timeout: float) -> bool:
        """Until the thread found nothing due after the last wake-up (for tests and orderly shutdowns)."""
        return self._idle.wait(timeout)

    @contextlib.contextmanager
    def running(self) -> Iterator[QuarantineWorker]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="regwarden-quarantine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the check in progress (its claim lets another worker finish it if this one is killed)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                done = process_due(self.store, self.settings, self._clients)
            except Exception as error:  # the loop must outlive any one failure; the check is retried later
                self._log(f"quarantine worker: {type(error).__name__}: {error}")
                done = []
            for check in done:
                self._log(_describe(check))
            if done:
                continue  # look again at once: more may have arrived meanwhile
            if not self._wake.is_set():
                self._idle.set()
            self._wake.wait(self._poll_seconds)


def _describe(check: QuarantineCheck) -> str:
    image = f"{check.registry}/{check.repository}@{check.digest}"
    if check.status == "reported":
        return f"quarantine: {image}: {check.state} (set in ACR)"
    if check.status == "decided":
        return f"quarantine: {image}: {check.state}, not yet set in ACR: {check.last_error}"
    return f"quarantine: {image}: will retry at {_moment(check.next_attempt_at)}: {check.last_error}"


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"
