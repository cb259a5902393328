"""Durations as users type them on the command line: Go-style (`acr purge --ago 1d3h`), with days.

Outside the layers (like gc_pause.py): a pure parser that command modules and use cases both need.
"""

from __future__ import annotations

import re
from datetime import timedelta

from regwarden.model.errors import BadInputError

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `1d12h`, `0d`, `1h30m15s`; anything else is a BadInputError."""
    found = _DURATION.fullmatch(text.strip())
    if found is None or not text.strip() or not any(part is not None for part in found.groups()):
        raise BadInputError(f"{text!r} is not a duration: use e.g. 30m, 12h, 7d, 1d12h")
    days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
