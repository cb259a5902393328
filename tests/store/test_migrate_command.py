"""`regwarden db migrate` (what a Kubernetes migration Job runs) on SQLite and PostgreSQL, and processes starting
together on an empty PostgreSQL database: they migrate one at a time, none fails."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import sqlalchemy as sa

from regwarden.store import open_store
from regwarden.store.database import schema_revision
from regwarden.store.engine import create_store_engine, resolve_url
from tests.cli.cli_support import run_process
from tests.store.test_migrations import HEAD, TABLES


def test_db_migrate_says_from_which_revision_and_is_safe_to_run_again(db_url: str, tmp_path: Path) -> None:
    first = run_process(["db", "migrate", "--db", db_url, "-o", "json"], tmp_path)
    assert first.code == 0, first.stderr
    assert {key: value for key, value in json.loads(first.stdout).items() if key != "database"} == {
        "before": None,
        "after": HEAD,
    }
    again = run_process(["db", "migrate", "--db", db_url], tmp_path)
    assert again.code == 0 and again.stdout.endswith(f": schema already at revision {HEAD}\n")
    engine = create_store_engine(resolve_url(db_url))
    try:
        assert schema_revision(engine) == HEAD
        assert set(sa.inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_processes_starting_together_on_an_empty_database_migrate_one_at_a_time(postgres_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_at_once() -> None:
        start.wait()
        try:
            with open_store(postgres_url):
                pass
        except BaseException as error:  # any failure is what the test looks for
            errors.append(error)

    threads = [threading.Thread(target=open_at_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with open_store(postgres_url) as store, store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
