"""Servers that end with exit 0 when they are asked to stop (SIGTERM: how Kubernetes stops a pod)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigterm_ends_cleanly() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGTERM, then raises the signal again under the handler it found. With the
    default handler that kills the process (exit 143) after a clean stop; inside this block the handler does
    nothing, so the command returns and exits 0."""
    previous = signal.signal(signal.SIGTERM, _ignore)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _ignore(_signal: int, _frame: object) -> None:
    pass
