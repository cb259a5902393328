"""Pausing Python's cyclic garbage collector around bulk work that builds many acyclic objects.

Used by every layer that builds objects in bulk (layer scans, registry loading, rule evaluation, vulnerability
matching), so it sits outside the layers and imports only the standard library. Loading a thousand registries,
scanning a 200k-entry layer or matching a large SBOM allocates hundreds of thousands of small objects (parsed
JSON, `Value`s, tar entries, advisories) that hold no reference cycles. Each allocation burst triggers the
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
