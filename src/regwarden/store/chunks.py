"""Bounded `IN (…)` lists: every store query over many keys goes through `chunks`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

T = TypeVar("T")
CHUNK = 500
"""Ids or identities per `IN (…)`: far below every driver's bound-parameter limit."""


def chunks(items: Iterable[T]) -> Iterator[list[T]]:
    """`items` in lists of at most CHUNK, for `IN (…)` queries."""
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def among(conn: Connection, column: sa.ColumnElement[Any], values: Sequence[object]) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter however many values. Rendering
    and parsing a parameter per value was most of the client's time in `where` and `affected` over thousands of
    digests."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.literal(list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
