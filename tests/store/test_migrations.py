"""Alembic migrations, run on a real SQLite file and a real PostgreSQL server: they create exactly the tables
schema.py describes, record the head revision, and are safe to run again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from regwarden.store import migrate, open_store
from regwarden.store.engine import create_store_engine, resolve_url
from regwarden.store.schema import metadata

ADVISORY_TABLES = {"advisories", "affected_index", "aliases", "ecosystem_status", "seen_ecosystems"}
INVENTORY_TABLES = {
    "registries",
    "repositories",
    "images",
    "image_children",
    "image_locations",
    "tag_history",
    "packages",
    "package_keys",
    "components",
    "scan_records",
    "package_findings",
    "finding_ids",
    "triage",
    "inventory_state",
    "workloads",
    "cluster_syncs",
    "events",
    "deliveries",
    "exposures",
    "leases",
    "quarantine_checks",
    "users",
    "sessions",
    "api_tokens",
    "audit_log",
    "posture_runs",
    "posture_results",
    "audit_findings",
    "jobs",
    "image_referrers",
    "signature_verifications",
}
TABLES = ADVISORY_TABLES | INVENTORY_TABLES | {"alembic_version"}
HEAD = "0013"


def test_migrations_create_the_schema(db_url: str) -> None:
    with open_store(db_url) as store:
        inspector = sa.inspect(store.engine)
        assert set(inspector.get_table_names()) == TABLES
        assert {i["name"] for i in inspector.get_indexes("aliases")} == {"ix_aliases_advisory"}
        assert inspector.get_pk_constraint("affected_index")["constrained_columns"] == [
            "ecosystem_base",
            "name",
            "advisory_id",
        ]
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD


def test_migrated_database_matches_schema_module(db_url: str) -> None:
    with open_store(db_url) as store, store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_reopening_is_idempotent_and_keeps_data(db_url: str) -> None:
    record = b'{"id": "OSV-1", "modified": "2024-01-01T00:00:00Z", "affected": []}'
    with open_store(db_url) as store:
        store.advisories.merge([("OSV-1", record)], collection="PyPI", source="test")
    with open_store(db_url) as store:
        assert [a.id for a in store.advisories.by_id_or_alias("OSV-1")] == ["OSV-1"]


def test_upgrading_a_0002_database_adds_an_empty_seen_ecosystems_table(db_url: str) -> None:
    engine = create_store_engine(resolve_url(db_url, {}))
    try:
        migrate(engine, "0002")
        assert "seen_ecosystems" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        assert "seen_ecosystems" in sa.inspect(store.engine).get_table_names()
        assert store.advisories.seen_ecosystems() == []
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD


def test_upgrading_an_advisory_only_database_adds_the_inventory_and_keeps_advisories(db_url: str) -> None:
    record = b'{"id": "OSV-2", "modified": "2024-01-01T00:00:00Z", "affected": []}'
    engine = create_store_engine(resolve_url(db_url, {}))
    try:
        migrate(engine, "0003")
        assert not INVENTORY_TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        store.advisories.merge([("OSV-2", record)], collection="PyPI", source="test")
    with open_store(db_url) as store:
        assert set(sa.inspect(store.engine).get_table_names()) >= INVENTORY_TABLES
        assert [a.id for a in store.advisories.by_id_or_alias("OSV-2")] == ["OSV-2"]


def test_inventory_migrations_downgrade_cleanly(db_url: str) -> None:
    engine = create_store_engine(resolve_url(db_url, {}))
    try:
        migrate(engine)
        _downgrade(engine, "0003")
        assert set(sa.inspect(engine).get_table_names()) == ADVISORY_TABLES | {"alembic_version"}
        migrate(engine)
        assert set(sa.inspect(engine).get_table_names()) >= INVENTORY_TABLES
    finally:
        engine.dispose()


def _downgrade(engine: sa.engine.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from regwarden.store.database import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
