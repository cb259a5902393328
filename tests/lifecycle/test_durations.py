"""Durations as `acr purge --ago` takes them (regwarden/durations.py): days, then a Go duration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regwarden.durations import format_duration, parse_duration
from regwarden.model.errors import BadInputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("0d", timedelta(0)),
        ("7d", timedelta(days=7)),
        ("1d3h", timedelta(days=1, hours=3)),
        ("2d3h6m", timedelta(days=2, hours=3, minutes=6)),
        ("1h15m", timedelta(hours=1, minutes=15)),
        ("1h30m15s", timedelta(hours=1, minutes=30, seconds=15)),
        ("1.5h", timedelta(minutes=90)),
        (".5s", timedelta(milliseconds=500)),
        ("250ms", timedelta(milliseconds=250)),
        ("40us", timedelta(microseconds=40)),
        ("40µs", timedelta(microseconds=40)),
        ("1500ns", timedelta(microseconds=1.5)),
        ("1m1h", timedelta(hours=1, minutes=1)),
        (" 12h ", timedelta(hours=12)),
    ],
)
def test_go_durations_with_days(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "d", "h", "1", "1x", "1.5d", "1h1d", "-1h", "1d-1h", "1 h"])
def test_anything_else_is_bad_input(text: str) -> None:
    with pytest.raises(BadInputError, match="is not a duration"):
        parse_duration(text)


def test_more_than_150_years_is_refused_as_acr_purge_caps_it() -> None:
    assert parse_duration("54750d") == timedelta(days=54750)
    with pytest.raises(BadInputError, match="longer than 150 years"):
        parse_duration("54751d")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(days=30), "30d"),
        (timedelta(days=1, hours=3), "1d3h"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(milliseconds=1500), "1.5s"),
        (timedelta(0), "0s"),
        (timedelta(days=2, seconds=5), "2d5s"),
    ],
)
def test_durations_are_shown_as_they_are_typed(value: timedelta, text: str) -> None:
    assert format_duration(value) == text
    assert parse_duration(text) == value
