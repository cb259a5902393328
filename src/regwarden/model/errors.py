"""The error hierarchy and the exit code each kind of failure maps to.

Every seam raises a subclass of `RegwardenError`; the CLI prints its message (never a traceback) and exits with its
`exit_code`. Exit code 1 is reserved for "the gate failed" (findings at or above `--fail-on`), so CI can tell a
policy failure from a broken run.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    GATE_FAILED = 1
    USAGE = 2
    BAD_INPUT = 3
    UNREACHABLE = 4
    AUTH = 5
    INTEGRITY = 6
    NOT_FOUND = 7
    NO_DATA = 8
    INTERNAL = 70


class RegwardenError(Exception):
    """Base of every error regwarden reports to a user."""

    exit_code: ExitCode = ExitCode.INTERNAL


class BadInputError(RegwardenError):
    """A file or argument could not be parsed: malformed JSON, unsupported format, bad reference."""

    exit_code = ExitCode.BAD_INPUT


class UnreachableError(RegwardenError):
    """A remote endpoint could not be reached, timed out, or kept answering 5xx after retries."""

    exit_code = ExitCode.UNREACHABLE


class AuthError(RegwardenError):
    """Credentials were missing, wrong, expired, or lacked permission."""

    exit_code = ExitCode.AUTH


class IntegrityError(RegwardenError):
    """Content did not match its digest or size, or an archive was hostile (traversal, link escape, bomb)."""

    exit_code = ExitCode.INTEGRITY


class NotFoundError(RegwardenError):
    """The image, tag, blob or resource does not exist."""

    exit_code = ExitCode.NOT_FOUND


class NoDataError(RegwardenError):
    """Data needed to answer is missing (e.g. no vulnerability database): never answer "nothing found"."""

    exit_code = ExitCode.NO_DATA
