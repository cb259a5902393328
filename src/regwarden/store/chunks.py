"""Bounded `IN (…)` lists: every store query over many keys goes through `chunks`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
CHUNK = 500
"""Ids or identities per `IN (…)`: far below every driver's bound-parameter limit."""


def chunks(items: Iterable[T]) -> Iterator[list[T]]:
    """`items` in lists of at most CHUNK, for `IN (…)` queries."""
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk
