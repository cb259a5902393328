"""Durations as users type them on the command line: Go-style (`acr purge --ago 1d3h`), with days.

The grammar is `acr purge`'s: an optional whole number of days (`7d`), then an optional Go duration
(`time.ParseDuration`: a sequence of decimal numbers each with a unit `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, as in
`1h30m`, `1.5h`, `300ms`). A bare `0` is zero, as in Go. Outside the layers (like gc_pause.py): a pure parser that
command modules and use cases both need.
"""

from __future__ import annotations

import re
from datetime import timedelta

from regwarden.model.errors import BadInputError

_DURATION = re.compile(r"(?:(\d+)d)?((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*)")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,  # MICRO SIGN, as Go accepts it
    "μs": 1e-6,  # GREEK SMALL LETTER MU
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
MAX_DAYS = 150 * 365
"""`acr purge` caps `--ago` at 150 years; anything longer is a typo, and timedelta would overflow soon after."""


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `1d12h`, `0d`, `0`, `1h30m15s`, `1.5h`, `250ms`; anything else is a BadInputError."""
    value = text.strip()
    found = _DURATION.fullmatch(value)
    if value == "0":
        return timedelta(0)
    if found is None or not value or (found.group(1) is None and not found.group(2)):
        raise BadInputError(f"{text!r} is not a duration: use e.g. 30m, 12h, 7d, 1d12h, 1.5h")
    days = int(found.group(1) or 0)
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _PART.findall(found.group(2)))
    if days + seconds / 86400 > MAX_DAYS:
        raise BadInputError(f"{text!r} is longer than 150 years")
    return timedelta(days=days, seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest form `parse_duration` reads back: `30d`, `1d3h`, `1h30m`, `1.5s`, `0s`."""
    seconds = value.total_seconds()
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    parts = [f"{int(days)}d" if days else "", f"{int(hours)}h" if hours else "", f"{int(minutes)}m" if minutes else ""]
    if rest or not any(parts):
        parts.append(f"{rest:g}s")
    return "".join(parts)
