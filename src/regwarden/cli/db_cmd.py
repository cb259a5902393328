"""`regwarden db update | import | status | migrate`: the offline OSV advisory database, and the schema."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from regwarden.vuln.sources.interface import TransferProgress

app = typer.Typer(
    help="The offline vulnerability database: fetch OSV exports, import them air-gapped, show freshness.",
    no_args_is_help=True,
)

DB_URL = typer.Option(
    None,
    "--db",
    envvar="REGWARDEN_DB",
    help="Database URL (sqlite:///FILE, postgresql://…) or a SQLite file path. Default: the user data dir.",
)


class DbFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


OUTPUT = typer.Option(DbFormat.TABLE, "--output", "-o", help="Output format.")


@app.command("update")
def update(
    ecosystem: list[str] = typer.Option(
        [],
        "--ecosystem",
        "-e",
        help="OSV ecosystem to fetch (repeatable). Default: every ecosystem a scan of this database needed, plus "
        "REGWARDEN_ECOSYSTEMS (comma-separated) or, when that is unset, the ecosystems regwarden catalogs.",
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", envvar="REGWARDEN_OSV_URL", help="OSV export bucket or a mirror of it."
    ),
    full: bool = typer.Option(False, "--full", help="Download every all.zip, even when an increment would do."),
    timeout: float = typer.Option(60.0, "--timeout", help="Per-request timeout in seconds."),
    db: str | None = DB_URL,
    config: Path | None = options.CONFIG,
    output: DbFormat = OUTPUT,
) -> None:
    """Fetch OSV exports (incrementally when possible); each ecosystem is swapped in atomically. The inventory is
    then re-matched against the new and changed advisories only, and its events are queued."""
    from regwarden.report import db_report
    from regwarden.service.database import UpdateOptions, update_database
    from regwarden.service.settings import load_settings

    endpoints = load_settings(config).endpoints
    update_options = UpdateOptions(ecosystems=tuple(ecosystem), base_url=base_url, full=full, timeout=timeout)
    report = update_database(update_options, db_url=db, progress=_progress(), endpoints=endpoints)
    render = db_report.render_update_json if output is DbFormat.JSON else db_report.render_update_table
    typer.echo(render(report), nl=False)
    typer.echo(db_report.render_rejected_warning([r for u in report.updated for r in u.rejected]), err=True, nl=False)
    if report.failed:
        first = report.failed[0][1]
        summary = "; ".join(f"{name}: {error}" for name, error in report.failed)
        raise type(first)(f"{len(report.failed)} ecosystem(s) not updated, previous data kept — {summary}")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="An OSV export zip, a directory of OSV JSON/YAML files, or one file."),
    db: str | None = DB_URL,
    config: Path | None = options.CONFIG,
    output: DbFormat = OUTPUT,
) -> None:
    """Load OSV records from local files (air-gapped); records are merged by id. The inventory is then re-matched
    against the new and changed advisories only, and its events are queued."""
    from regwarden.report import db_report
    from regwarden.service.database import import_advisories
    from regwarden.service.settings import load_settings

    report = import_advisories(path, db_url=db, endpoints=load_settings(config).endpoints)
    render = db_report.render_import_json if output is DbFormat.JSON else db_report.render_import_text
    typer.echo(render(report), nl=False)
    typer.echo(db_report.render_rejected_warning(report.rejected), err=True, nl=False)


@app.command("status")
def status(db: str | None = DB_URL, output: DbFormat = OUTPUT) -> None:
    """Per-ecosystem advisory counts, last update and age. Exits 8 when the database is empty."""
    from regwarden.report import db_report
    from regwarden.service.database import database_status

    result = database_status(db_url=db)
    render = db_report.render_status_json if output is DbFormat.JSON else db_report.render_status_table
    typer.echo(render(result, datetime.now(UTC)), nl=False)


@app.command("migrate")
def migrate(db: str | None = DB_URL, output: DbFormat = OUTPUT) -> None:
    """Bring the database's schema to this version's newest and say from which revision. Every command migrates
    when it opens the database; run this once before starting workers and servers (a Kubernetes Job, a CI step)."""
    import json

    from regwarden.store.database import migrate as migrate_schema
    from regwarden.store.database import schema_revision
    from regwarden.store.engine import create_store_engine, resolve_url

    engine = create_store_engine(resolve_url(db))
    try:
        before = schema_revision(engine)
        migrate_schema(engine)
        after = schema_revision(engine)
        where = engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()
    if output is DbFormat.JSON:
        typer.echo(json.dumps({"database": where, "before": before, "after": after}, indent=2))
    elif before == after:
        typer.echo(f"{where}: schema already at revision {after}")
    else:
        typer.echo(f"{where}: schema migrated from revision {before or '(empty database)'} to {after}")


def _progress() -> TransferProgress | None:
    # A live bar only for a person at a terminal; pipes and CI logs get the final summary alone.
    return _RichProgress() if sys.stderr.isatty() else None


class _RichProgress:
    """TransferProgress drawn as a rich progress bar on stderr."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, label: str, total: int | None, completed: int = 0) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self.finish()
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(label, total=total, completed=completed)

    def advance(self, amount: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar, self._task = None, None
