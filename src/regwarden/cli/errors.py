"""Turn every failure into one clear line on stderr and a distinct exit code (see model/errors.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from regwarden.model.errors import ExitCode, RegwardenError


def run_guarded(app: Callable[..., object]) -> None:
    try:
        app(standalone_mode=False)
    except RegwardenError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except SystemExit:
        raise
    except Exception as error:
        from click.exceptions import Abort, ClickException, Exit

        if isinstance(error, Exit):
            sys.exit(error.exit_code)
        if isinstance(error, ClickException):
            error.show()
            sys.exit(ExitCode.USAGE)
        if isinstance(error, Abort):
            _fail("aborted", 130)
        raise
    sys.exit(ExitCode.OK)


def _fail(message: str, code: int) -> None:
    print(f"regwarden: error: {message}", file=sys.stderr)
    sys.exit(code)
