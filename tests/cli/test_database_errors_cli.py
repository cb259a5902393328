"""Database failures the store lets through become one line and a distinct exit code, never a traceback or exit 1
(the gate's code): a role without rights is an authorization failure (5), a lost database is unreachable (4)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.cli.cli_support import invoke


def test_a_role_without_rights_is_exit_5(postgres_url: str) -> None:
    admin = sa.create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text("DROP ROLE IF EXISTS rw_no_rights"))
        conn.execute(sa.text("CREATE ROLE rw_no_rights LOGIN"))
        conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    admin.dispose()
    limited = postgres_url.replace("postgresql://regwarden@", "postgresql://rw_no_rights@")
    outcome = invoke(["inventory", "list", "--db", limited])
    assert outcome.code == 5, outcome.stderr
    assert outcome.stderr.startswith("regwarden: error: the database refused the operation: permission denied")
    assert "Traceback" not in outcome.stderr
