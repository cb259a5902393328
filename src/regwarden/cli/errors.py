"""Turn every failure into one clear line on stderr and a distinct exit code (see model/errors.py).

The mapping lives in the root command group, so it holds however the app is invoked: the console script,
`python -m regwarden`, or a test's CliRunner.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from regwarden.model.errors import ExitCode, RegwardenError


class GuardedGroup(TyperGroup):
    """The root group: a RegwardenError anywhere below becomes `regwarden: error: …` and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RegwardenError as error:
            print(f"regwarden: error: {error}", file=sys.stderr)
            raise typer.Exit(int(error.exit_code)) from None
        except Exception as error:
            database = database_failure(error)
            if database is None:
                raise
            message, code = database
            print(f"regwarden: error: {message}", file=sys.stderr)
            raise typer.Exit(int(code)) from None


def database_failure(error: Exception) -> tuple[str, ExitCode] | None:
    """A database error the store let through (a lost connection, a missing permission), as a message and exit code.

    Checked only when SQLAlchemy is loaded: commands that never open the store do not pay for importing it.
    """
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    detail = (str(original).strip().splitlines() or [type(original).__name__])[0]
    state = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None), "sqlstate", None)
    if state == "42501" or "permission denied" in detail.lower():  # PostgreSQL insufficient_privilege
        return f"the database refused the operation: {detail}", ExitCode.AUTH
    return f"database error: {detail}", ExitCode.UNREACHABLE


def run_guarded(app: typer.Typer) -> None:
    """Console-script entry: usage errors get the usage exit code; Ctrl-C exits 130."""
    try:
        # Without standalone mode click returns the code of `typer.Exit(n)` instead of exiting.
        code = app(standalone_mode=False)
    except typer.Abort:
        print("regwarden: aborted", file=sys.stderr)
        sys.exit(130)
    except typer.TyperException as error:
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            print(f"regwarden: error: {error}", file=sys.stderr)
        sys.exit(ExitCode.USAGE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
