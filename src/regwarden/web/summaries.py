"""The last risk snapshot (service/risk_summary.py), shared by every request and refreshed in the background.

A request never computes it, except the very first one after start when no snapshot exists yet (it then waits
for the one computation, shared with every request arriving meanwhile). After a change the server makes itself
(an ingest, a triage decision), the refresh is asked for at once rather than at the next interval.
"""

from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING

from regwarden.model.dashboard import RiskSnapshot
from regwarden.service.risk_summary import risk_snapshot

if TYPE_CHECKING:
    from regwarden.store import Store


class Summaries:
    def __init__(self, store: Store, *, refresh_in_request: bool = False) -> None:
        """`refresh_in_request`: no jobs thread runs (`serve --no-jobs`), so a request that finds the snapshot
        stale recomputes it itself."""
        self._store = store
        self._inline = refresh_in_request
        self._snapshot: RiskSnapshot | None = None
        self._lock = threading.Lock()
        self.stale = threading.Event()
        """Set when something changed: the jobs thread refreshes at once."""

    def get(self) -> RiskSnapshot:
        snapshot = self._snapshot
        if snapshot is not None and not self._due():
            return snapshot
        with self._lock:  # one computation, shared by every request arriving meanwhile
            if self._snapshot is None or self._due():
                self.stale.clear()
                self._snapshot = _frozen(risk_snapshot(self._store))
            return self._snapshot

    def _due(self) -> bool:
        return self._inline and self.stale.is_set()

    def refresh(self) -> RiskSnapshot:
        with self._lock:
            self.stale.clear()
            self._snapshot = _frozen(risk_snapshot(self._store))
            return self._snapshot


def _frozen(snapshot: RiskSnapshot) -> RiskSnapshot:
    """Keep the snapshot's hundreds of thousands of objects out of the cyclic garbage collector: a full collection
    walking them paused every request for tens of milliseconds. They hold no reference cycles, so the snapshot
    the next refresh replaces is still freed (by reference counting)."""
    gc.collect()
    gc.freeze()
    return snapshot
