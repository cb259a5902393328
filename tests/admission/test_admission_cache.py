"""The admission caches (service/admission_cache.py): bounded LRU with expiry, and one computation per key."""

from __future__ import annotations

import threading
import time

import pytest

from regwarden.service.admission_cache import ExpiringLru, SingleFlight


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl_and_a_shorter_one_can_be_asked_for() -> None:
    clock = Clock()
    cache: ExpiringLru[str, int] = ExpiringLru(10, ttl=60, clock=clock)
    cache.put("allowed", 1)
    cache.put("denied", 2, ttl=5)
    clock.now += 5
    assert (cache.get("allowed"), cache.get("denied")) == (1, None)
    clock.now += 55
    assert cache.get("allowed") is None
    assert (cache.hits, cache.misses, len(cache)) == (1, 2, 0)


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: ExpiringLru[str, int] = ExpiringLru(2, ttl=60)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_a_ttl_of_zero_caches_nothing_and_a_bound_below_one_is_refused() -> None:
    cache: ExpiringLru[str, int] = ExpiringLru(2, ttl=0)
    cache.put("a", 1)
    assert cache.get("a") is None
    with pytest.raises(ValueError, match="at least 1"):
        ExpiringLru(0, ttl=1)


def test_concurrent_callers_for_one_key_share_one_computation() -> None:
    flight: SingleFlight[str] = SingleFlight()
    calls: list[str] = []
    started = threading.Event()

    def slow() -> str:
        calls.append("computed")
        started.set()
        time.sleep(0.2)
        return "facts"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(flight.run("key", slow))) for _ in range(5)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert (calls, results) == (["computed"], ["facts"] * 5)
    assert flight.run("key", lambda: "again") == "again"


def test_a_failure_reaches_every_waiting_caller_and_is_not_remembered() -> None:
    flight: SingleFlight[str] = SingleFlight()
    gate = threading.Event()

    def failing() -> str:
        gate.wait(5)
        raise RuntimeError("registry down")

    errors: list[str] = []

    def call() -> None:
        try:
            flight.run("key", failing)
        except RuntimeError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert errors == ["registry down"] * 3
    assert flight.run("key", lambda: "recovered") == "recovered"
