"""Where the database lives and how to connect to it.

The URL comes from the caller (`--db`), else `REGWARDEN_DB`, else a SQLite file in the user's data dir, so a first
run needs no setup. `postgresql://` URLs are routed to the psycopg 3 driver (SQLAlchemy's bare `postgresql://`
means psycopg2, which we do not ship).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from regwarden.model.errors import BadInputError, UnreachableError

ENV_VAR = "REGWARDEN_DB"
DB_FILE_NAME = "regwarden.db"


def default_sqlite_path(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_DATA_HOME/regwarden/regwarden.db`, falling back to `~/.local/share/regwarden/regwarden.db`."""
    env = os.environ if environ is None else environ
    data_home = env.get("XDG_DATA_HOME") or ""
    base = Path(data_home) if data_home else Path(env.get("HOME") or Path.home()) / ".local" / "share"
    return base / "regwarden" / DB_FILE_NAME


def resolve_url(url: str | None = None, environ: Mapping[str, str] | None = None) -> URL:
    """The SQLAlchemy URL to open: argument, then `REGWARDEN_DB`, then the default SQLite file.

    A value without `://` is taken as a SQLite file path, so `--db ./vulns.db` works as users expect.
    """
    env = os.environ if environ is None else environ
    raw = url or env.get(ENV_VAR) or ""
    if not raw:
        return _sqlite_url(default_sqlite_path(env))
    if "://" not in raw:
        return _sqlite_url(Path(raw))
    try:
        parsed = make_url(raw)
    except (sa.exc.ArgumentError, ValueError) as error:
        raise BadInputError(f"not a database URL: {_redacted(raw)}") from error
    return _with_driver(parsed)


def create_store_engine(url: URL) -> Engine:
    """An engine for `url`, creating the SQLite file's directory; fails with a clear error when unreachable."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        _make_parent(url, Path(str(url.database)).expanduser().parent)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
        raise BadInputError(f"unsupported database URL {url.render_as_string(hide_password=True)}") from error
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise UnreachableError(
            f"cannot open database {url.render_as_string(hide_password=True)}: {first_line}"
        ) from error
    return engine


def _make_parent(url: URL, directory: Path) -> None:
    # A parent that is a file or not writable is the user's path to fix, not a traceback.
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnreachableError(
            f"cannot open database {url.render_as_string(hide_password=True)}: "
            f"cannot create directory {directory}: {error.strerror or error}"
        ) from error


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # WAL lets `scan` keep reading while `db update` writes its one long transaction; the busy timeout makes a
    # second writer wait for the first instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path.expanduser()))


def _with_driver(url: URL) -> URL:
    backend = url.get_backend_name()
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend not in ("postgresql", "sqlite"):
        raise BadInputError(f"unsupported database {backend!r}: use a sqlite:/// or postgresql:// URL")
    return url


def _redacted(raw: str) -> str:
    # A malformed URL may still carry a password; never echo what follows the scheme's user part.
    scheme, _, rest = raw.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if rest else raw
