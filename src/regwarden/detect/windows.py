"""Bursts: N or more records of one key within a time window, found in one pass with bounded memory.

Each key keeps only the records within `within + max_disorder` of the newest it has seen (or, for an export
sorted newest first, the oldest), so memory follows the window, never the input. A record is compared with the
window that ends at it and the one that starts at it, so ascending and descending exports both give exact
answers, and so do records up to `max_disorder` out of order. A burst grows while records keep arriving within
`within` of it and becomes one finding with its first records as evidence.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from regwarden.detect.detection import MAX_EVIDENCE
from regwarden.model.audit import AuditEvent


@dataclass
class Burst:
    key: str
    first: datetime
    last: datetime
    count: int
    evidence: list[AuditEvent]


@dataclass
class _Window:
    times: list[datetime] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)
    burst: Burst | None = None


class Bursts:
    def __init__(self, threshold: int, within: timedelta, max_disorder: timedelta) -> None:
        self._threshold, self._within, self._keep = threshold, within, within + max_disorder
        self._windows: dict[str, _Window] = {}
        self._closed: list[Burst] = []

    def add(self, key: str, event: AuditEvent) -> None:
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = _Window()
        moment, burst = event.time, window.burst
        if burst is not None:
            if burst.first - self._within <= moment <= burst.last + self._within:
                _extend(burst, event)
                return
            self._closed.append(burst)
            window.burst = None
        self._evict(window, moment)
        at = bisect.bisect_right(window.times, moment)
        window.times.insert(at, moment)
        window.events.insert(at, event)
        if self._dense_around(window.times, moment):
            window.burst = self._open(key, window, moment)
            # An open burst takes every record near it, so the window is not needed until it closes: this keeps
            # each window below `threshold` records per `within`, whatever the input.
            window.times, window.events = [], []

    def finish(self) -> list[Burst]:
        open_bursts = [w.burst for w in self._windows.values() if w.burst is not None]
        return sorted([*self._closed, *open_bursts], key=lambda b: (b.first, b.key))

    def _evict(self, window: _Window, moment: datetime) -> None:
        times = window.times
        low = bisect.bisect_left(times, moment - self._keep)
        high = bisect.bisect_right(times, moment + self._keep)
        if high < len(times):
            del times[high:], window.events[high:]
        if low:
            del times[:low], window.events[:low]

    def _dense_around(self, times: list[datetime], moment: datetime) -> bool:
        ending = bisect.bisect_right(times, moment) - bisect.bisect_left(times, moment - self._within)
        starting = bisect.bisect_right(times, moment + self._within) - bisect.bisect_left(times, moment)
        return max(ending, starting) >= self._threshold

    def _open(self, key: str, window: _Window, moment: datetime) -> Burst:
        low = bisect.bisect_left(window.times, moment - self._within)
        high = bisect.bisect_right(window.times, moment + self._within)
        members = window.events[low:high]
        return Burst(key, members[0].time, members[-1].time, len(members), list(members[:MAX_EVIDENCE]))


def _extend(burst: Burst, event: AuditEvent) -> None:
    burst.first, burst.last = min(burst.first, event.time), max(burst.last, event.time)
    burst.count += 1
    if len(burst.evidence) < MAX_EVIDENCE:
        burst.evidence.append(event)
