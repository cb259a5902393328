"""Fixtures of the job tests: a Redis server (tests/support/redis_server.py) and extra PostgreSQL databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from tests.support.redis_server import redis_base_url, redis_url

__all__ = ["redis_base_url", "redis_url"]


@pytest.fixture
def new_postgres_database(postgres_server: str, request: pytest.FixtureRequest) -> Iterator[Callable[[str], str]]:
    """Makes empty databases named after the test and a suffix; drops them afterwards."""
    admin = sa.create_engine(
        postgres_server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    made: list[str] = []

    def make(suffix: str) -> str:
        name = "j_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:40] + "_" + suffix
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return postgres_server.rsplit("/", 1)[0] + f"/{name}"

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
