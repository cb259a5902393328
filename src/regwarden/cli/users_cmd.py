"""`regwarden users …`: the server's local users and API tokens (add, role, password, disable; tokens).

Passwords are read from a hidden prompt or, for scripts, from stdin with `--password-stdin`; never from an
argument (it would sit in the shell history and the process list). A token's secret is printed once.
Exit codes: 0 done, 3 bad value (short password, unknown scope, duplicate name), 7 no such user or token.
"""

from __future__ import annotations

import getpass
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from regwarden.cli import options
from regwarden.model.access import Role, Scope

if TYPE_CHECKING:
    from regwarden.model.access import ApiToken, User

app = typer.Typer(help="Users and API tokens of `regwarden serve`.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for CI and scripts: scoped, expiring, stored hashed.", no_args_is_help=True)
app.add_typer(tokens_app, name="token")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


OUTPUT = typer.Option(OutputFormat.TABLE, "--output", "-o", help="Output format.")
PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="Read the password from stdin (first line).")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Sign-in name (for Entra ID users: their user principal name)."),
    role: Role = typer.Option(Role.VIEWER, "--role", help="viewer (read), triager (read + triage), admin."),
    display_name: str | None = typer.Option(None, "--display-name", help="Shown in the dashboard and the trail."),
    oidc_only: bool = typer.Option(False, "--oidc-only", help="No password: the user signs in with Entra ID."),
    password_stdin: bool = PASSWORD_STDIN,
    db: str | None = options.DB,
    output: OutputFormat = OUTPUT,
) -> None:
    """Add a user (local, with an argon2-hashed password; or OIDC only)."""
    from regwarden.service.accounts import add_user
    from regwarden.store import open_store

    password = None if oidc_only else _password(password_stdin)
    with open_store(db) as store:
        user = add_user(store, name, role, password, actor=_actor(), display_name=display_name)
    _print_users([user], output)


@app.command("list")
def list_users(db: str | None = options.DB, output: OutputFormat = OUTPUT) -> None:
    """Every user, with role and how they sign in."""
    from regwarden.store import open_store

    with open_store(db) as store:
        _print_users(store.users.all(), output)


@app.command("role")
def role(
    name: str = typer.Argument(...),
    new_role: Role = typer.Argument(..., metavar="ROLE"),
    db: str | None = options.DB,
    output: OutputFormat = OUTPUT,
) -> None:
    """Change a user's role (their sessions end, so it applies at once)."""
    from regwarden.service.accounts import set_role
    from regwarden.store import open_store

    with open_store(db) as store:
        _print_users([set_role(store, name, new_role, actor=_actor())], output)


@app.command("passwd")
def passwd(
    name: str = typer.Argument(...),
    password_stdin: bool = PASSWORD_STDIN,
    db: str | None = options.DB,
    output: OutputFormat = OUTPUT,
) -> None:
    """Set a user's password (their sessions end)."""
    from regwarden.service.accounts import find_user, set_password
    from regwarden.store import open_store

    password = _password(password_stdin)
    with open_store(db) as store:
        set_password(store, name, password, actor=_actor())
        _print_users([find_user(store, name)], output)


@app.command("disable")
def disable(name: str = typer.Argument(...), db: str | None = options.DB, output: OutputFormat = OUTPUT) -> None:
    """Disable a user: sessions end, tokens stop working, sign-in is refused."""
    from regwarden.service.accounts import disable_user, find_user
    from regwarden.store import open_store

    with open_store(db) as store:
        disable_user(store, name, actor=_actor())
        _print_users([find_user(store, name)], output)


@tokens_app.command("create")
def create_token(
    name: str = typer.Argument(..., help="What uses it, e.g. ci-shop-web."),
    user: str = typer.Option(..., "--user", help="The owner: the token acts with at most this user's role."),
    scopes: list[Scope] = typer.Option([Scope.READ], "--scope", help="read, ingest, triage (repeatable)."),
    expires: str = typer.Option("90d", "--expires", help="Lifetime, e.g. 30d, 12h (at most 366d)."),
    db: str | None = options.DB,
    output: OutputFormat = OUTPUT,
) -> None:
    """Issue an API token; its secret is printed once and stored only as a hash."""
    from regwarden.durations import parse_duration
    from regwarden.service.api_tokens import issue_token
    from regwarden.store import open_store

    with open_store(db) as store:
        issued = issue_token(store, user, name, frozenset(scopes), actor=_actor(), ttl=parse_duration(expires))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps({**_token_json(issued.token), "secret": issued.secret}, indent=2))
        return
    typer.echo(issued.secret)
    typer.echo(
        f"token {issued.token.token_id} ({name}) expires {issued.token.expires_at:%Y-%m-%d}; copy it now", err=True
    )


@tokens_app.command("list")
def list_tokens(db: str | None = options.DB, output: OutputFormat = OUTPUT) -> None:
    """Every token: owner, scopes, expiry, last use, revoked or not (never a secret)."""
    from regwarden.store import open_store

    with open_store(db) as store:
        tokens = store.tokens.all()
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([_token_json(token) for token in tokens], indent=2))
        return
    for token in tokens:
        state = "revoked" if token.revoked_at else f"expires {token.expires_at:%Y-%m-%d}"
        scopes = ",".join(sorted(scope.value for scope in token.scopes))
        typer.echo(f"{token.token_id}  {token.name:<24} {token.user.name:<20} {scopes:<20} {state}")


@tokens_app.command("revoke")
def revoke(token_id: str = typer.Argument(...), db: str | None = options.DB, output: OutputFormat = OUTPUT) -> None:
    """Revoke a token by its id (the part after `rwt_`, before the second `_`)."""
    from regwarden.service.api_tokens import revoke_token
    from regwarden.store import open_store

    with open_store(db) as store:
        revoke_token(store, token_id, actor=_actor())
        found = store.tokens.find(token_id)
    assert found is not None
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_token_json(found[0]), indent=2))
    else:
        typer.echo(f"revoked {token_id} ({found[0].name})")


def _print_users(users: list[User], output: OutputFormat) -> None:
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([_user_json(user) for user in users], indent=2))
        return
    for user in users:
        how = "password" if user.has_password else "oidc"
        state = "disabled" if user.disabled_at else "active"
        typer.echo(f"{user.name:<30} {user.role.value:<8} {how:<8} {state}")


def _user_json(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "display_name": user.display_name,
        "role": user.role.value,
        "password": user.has_password,
        "oidc": user.issuer is not None,
        "created_at": user.created_at.isoformat(),
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


def _token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.token_id,
        "name": token.name,
        "user": token.user.name,
        "scopes": sorted(scope.value for scope in token.scopes),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }
