"""Fixtures of the deployment tests: the job tests' Redis server and PostgreSQL databases (the image runs a worker)."""

from __future__ import annotations

from tests.jobs.conftest import new_postgres_database
from tests.support.redis_server import redis_base_url, redis_url

__all__ = ["new_postgres_database", "redis_base_url", "redis_url"]
