"""A bounded, thread-safe LRU cache whose entries expire: what the admission webhook remembers between requests.

Bounded, because a cluster that creates pods from ever new images must not grow the server without limit (the
least recently used entry goes first); expiring, because a decision is only as fresh as the signatures, findings
and quarantine records it read. A TTL of 0 caches nothing.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class ExpiringLru(Generic[K, V]):
    def __init__(self, max_entries: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        """The value, when present and not expired (it becomes the most recently used); None otherwise."""
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] <= self._clock():
                if found is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        """Keep `value` for `ttl` seconds (the cache's own TTL by default; a shorter one for a denial)."""
        lifetime = self._ttl if ttl is None else min(ttl, self._ttl)
        if lifetime <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + lifetime, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class SingleFlight(Generic[K]):
    """Runs one call per key at a time: callers asking for a key already being computed wait for that result.

    Ten pods of one Deployment created at once are ten requests for the same digest; one verification serves all.
    """

    def __init__(self) -> None:
        self._calls: dict[K, _Call] = {}
        self._lock = threading.Lock()

    def run(self, key: K, compute: Callable[[], T]) -> T:
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if call is None:
                call = self._calls[key] = _Call()
        if not leader:
            call.done.wait()
            if call.error is not None:
                raise call.error
            return cast(T, call.value)
        try:
            value = compute()
            call.value = value
            return value
        except BaseException as error:
            call.error = error
            raise
        finally:
            with self._lock:
                del self._calls[key]
            call.done.set()


class _Call:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: object = None
        self.error: BaseException | None = None
