"""Pausing Python's cyclic garbage collector around bulk work that builds many acyclic objects.

Loading a thousand registries, or evaluating 35 rules on each, allocates hundreds of thousands of small
objects (parsed JSON, `Value`s, results) that hold no reference cycles. Each allocation burst triggers the
cyclic collector, which rescans everything still alive, the whole input included: a third of the time of a
large audit. Reference counting frees those objects without it; cycles made meanwhile are collected once
the collector runs again after the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore it (if it was on) on the way out."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
