"""Turn every failure into one clear line on stderr and a distinct exit code (see model/errors.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from regwarden.model.errors import ExitCode, RegwardenError


def run_guarded(app: Callable[..., object]) -> None:
    try:
        # Without standalone mode click returns the code of `typer.Exit(n)` instead of exiting.
        code = app(standalone_mode=False)
    except RegwardenError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except SystemExit:
        raise
    except typer.Abort:
        _fail("aborted", 130)
    except typer.TyperException as error:
        # Usage errors (unknown command, bad option value): click's own message, and the usage exit code.
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            print(f"regwarden: error: {error}", file=sys.stderr)
        sys.exit(ExitCode.USAGE)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _fail(message: str, code: int) -> None:
    print(f"regwarden: error: {message}", file=sys.stderr)
    sys.exit(code)
