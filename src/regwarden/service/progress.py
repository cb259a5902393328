"""Progress lines for long work, shown only where a person is watching."""

from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[str], None]


def stderr_progress() -> Progress:
    """Progress lines on stderr when it is a terminal; silent in pipes and CI logs stay clean."""
    if not sys.stderr.isatty():
        return lambda _message: None
    return lambda message: print(f"• {message}", file=sys.stderr, flush=True)
