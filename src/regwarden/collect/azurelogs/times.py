"""Timestamps as the exports write them: ISO 8601 (`2024-05-01T10:00:00.1234567Z`, 7 fractional digits from the
query API and archives), and the Azure portal's CSV export (`5/1/2024, 10:00:00.123 AM`, in UTC)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_PORTAL_FORMATS = ("%m/%d/%Y, %I:%M:%S.%f %p", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p")
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_time(value: object) -> datetime | None:
    """A timezone-aware UTC datetime, or None when `value` is not a timestamp (a naive one is taken as UTC)."""
    if isinstance(value, datetime):
        return _utc(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _slow_path(value.strip())
    return moment if moment.tzinfo is UTC else _utc(moment)


def _slow_path(text: str) -> datetime | None:
    shortened = _LONG_FRACTION.sub(r"\1", text)  # nanoseconds: Python keeps microseconds
    if shortened != text:
        return parse_time(shortened)
    for pattern in _PORTAL_FORMATS:
        try:
            return _utc(datetime.strptime(text, pattern))
        except ValueError:
            continue
    return None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.utcoffset() == UTC.utcoffset(None) else moment.astimezone(UTC)
