"""Fixed-window rate limits per key (a client address, a user name), in this process's memory.

Enough to blunt password guessing and webhook floods on one server; several server processes each count their
own (put a shared limiter in the proxy in front when running many). A refused request is answered 429 with
`Retry-After`, and never reaches the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window_seconds
        self._clock = clock
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one request for `key`; None when allowed, else the seconds until the window ends."""
        now = self._clock()
        with self._lock:
            started, count = self._counts.get(key, (now, 0))
            if now - started >= self._window:
                started, count = now, 0
            if count >= self._limit:
                return max(1.0, self._window - (now - started))
            self._counts[key] = (started, count + 1)
            if len(self._counts) > 10_000:
                self._forget_old(now)
        return None

    def _forget_old(self, now: float) -> None:
        for key in [k for k, (started, _) in self._counts.items() if now - started >= self._window]:
            del self._counts[key]
