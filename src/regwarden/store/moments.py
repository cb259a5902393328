"""Stored times: always UTC, always timezone-aware once read back."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def aware_now(moment: datetime | None = None) -> datetime:
    """`moment` (made aware) or the current time: the one `now` every repository method defaults to."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("stored times must be timezone-aware")
    return moment
