"""`regwarden users …`: local users and API tokens from the command line, on SQLite and PostgreSQL; every change
in the audit trail."""

from __future__ import annotations

import json

from regwarden.service.accounts import authenticate
from regwarden.service.api_tokens import token_principal
from regwarden.store import open_store
from tests.cli.cli_support import assert_clean_failure, invoke, run_process


def _users(db_url: str, *args: str, stdin: str | None = None) -> object:
    from typer.testing import CliRunner

    from regwarden.cli.app import app

    result = CliRunner().invoke(
        app, ["users", *args, "--db", db_url, "-o", "json"], input=stdin, catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_role_password_disable_and_list(db_url: str) -> None:
    added = _users(
        db_url, "add", "alice@example.com", "--role", "triager", "--password-stdin", stdin="a long password 1\n"
    )
    assert added == [
        {**added[0], "name": "alice@example.com", "display_name": "alice@example.com", "role": "triager",
         "password": True, "oidc": False, "disabled_at": None}
    ]  # fmt: skip
    _users(db_url, "add", "bob", "--oidc-only", "--display-name", "Bob B")
    assert [u["role"] for u in _users(db_url, "role", "alice@example.com", "admin")] == ["admin"]
    _users(db_url, "passwd", "alice@example.com", "--password-stdin", stdin="another password 2\n")
    with open_store(db_url) as store:
        assert authenticate(store, "alice@example.com", "another password 2").name == "alice@example.com"
    disabled = _users(db_url, "disable", "bob")
    assert disabled[0]["disabled_at"] is not None
    listed = _users(db_url, "list")
    assert {(u["name"], u["role"], u["password"]) for u in listed} == {
        ("alice@example.com", "admin", True),
        ("bob", "viewer", False),
    }
    with open_store(db_url) as store:
        actions = [(e.action, e.target) for e in store.audit_log.recent()][::-1]
    assert actions == [
        ("user.add", "alice@example.com"),
        ("user.add", "bob"),
        ("user.role", "alice@example.com"),
        ("user.password", "alice@example.com"),
        ("user.disable", "bob"),
    ]


def test_tokens_create_list_revoke(db_url: str) -> None:
    _users(db_url, "add", "ci-owner", "--role", "triager", "--password-stdin", stdin="a long password 1\n")
    created = _users(
        db_url,
        "token",
        "create",
        "ci-shop",
        "--user",
        "ci-owner",
        "--scope",
        "ingest",
        "--scope",
        "read",
        "--expires",
        "30d",
    )
    secret = created["secret"]
    assert secret.startswith(f"rwt_{created['id']}_")
    assert created["scopes"] == ["ingest", "read"]
    with open_store(db_url) as store:
        assert token_principal(store, secret).actor == "token:ci-shop (ci-owner)"
    listed = _users(db_url, "token", "list")
    assert [(t["name"], t["user"], t["revoked_at"]) for t in listed] == [("ci-shop", "ci-owner", None)]
    assert "secret" not in listed[0]
    revoked = _users(db_url, "token", "revoke", created["id"])
    assert revoked["revoked_at"] is not None


def test_bad_values_are_clear_errors(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    db = str(tmp_path / "users.db")
    short = run_process(["users", "add", "carol", "--password-stdin", "--db", db], tmp_path)
    assert_clean_failure(short, 3, "at least 12 characters")
    unknown = run_process(["users", "role", "nobody", "admin", "--db", db], tmp_path)
    assert_clean_failure(unknown, 7, "no user named 'nobody'")
    no_scope = invoke(["users", "token", "revoke", "deadbeef", "--db", db])
    assert no_scope.code != 0
    spaced = run_process(["users", "add", "two words", "--oidc-only", "--db", db], tmp_path)
    assert_clean_failure(spaced, 3, "without spaces")
