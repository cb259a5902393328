"""`regwarden db update | import | status`: the offline OSV advisory database."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from regwarden.service.database import DatabaseStatus, ImportReport, UpdateReport
    from regwarden.store.records import RejectedRecord
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
MAX_REJECTED_SHOWN = 10


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
    output: DbFormat = OUTPUT,
) -> None:
    """Fetch OSV exports (incrementally when possible); each ecosystem is swapped in atomically."""
    from regwarden.service.database import UpdateOptions, update_database

    options = UpdateOptions(ecosystems=tuple(ecosystem), base_url=base_url, full=full, timeout=timeout)
    report = update_database(options, db_url=db, progress=_progress())
    typer.echo(_update_json(report) if output is DbFormat.JSON else _update_table(report), nl=False)
    _warn_rejected([r for u in report.updated for r in u.rejected])
    if report.failed:
        first = report.failed[0][1]
        summary = "; ".join(f"{name}: {error}" for name, error in report.failed)
        raise type(first)(f"{len(report.failed)} ecosystem(s) not updated, previous data kept — {summary}")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="An OSV export zip, a directory of OSV JSON/YAML files, or one file."),
    db: str | None = DB_URL,
    output: DbFormat = OUTPUT,
) -> None:
    """Load OSV records from local files (air-gapped); records are merged by id."""
    from regwarden.service.database import import_advisories

    report = import_advisories(path, db_url=db)
    typer.echo(_import_json(report) if output is DbFormat.JSON else _import_text(report), nl=False)
    _warn_rejected(list(report.rejected))


@app.command("status")
def status(db: str | None = DB_URL, output: DbFormat = OUTPUT) -> None:
    """Per-ecosystem advisory counts, last update and age. Exits 8 when the database is empty."""
    from regwarden.service.database import database_status

    result = database_status(db_url=db)
    typer.echo(_status_json(result) if output is DbFormat.JSON else _status_table(result), nl=False)


def _update_table(report: UpdateReport) -> str:
    rows: list[tuple[str, ...]] = [(u.ecosystem, u.mode, str(u.written), str(len(u.rejected))) for u in report.updated]
    rows += [(name, "failed", "-", "-") for name, _ in report.failed]
    return _table(("Ecosystem", "Update", "Written", "Rejected"), rows)


def _update_json(report: UpdateReport) -> str:
    document = {
        "updated": [
            {
                "ecosystem": u.ecosystem,
                "mode": u.mode,
                "written": u.written,
                "rejected": _rejected_json(u.rejected),
                "source": u.source,
            }
            for u in report.updated
        ],
        "failed": [{"ecosystem": name, "error": str(error)} for name, error in report.failed],
    }
    return json.dumps(document, indent=2) + "\n"


def _import_text(report: ImportReport) -> str:
    ecosystems = ", ".join(report.ecosystems) or "none"
    newer = f"; kept {len(report.kept_newer)} newer stored" if report.kept_newer else ""
    return (
        f"imported {report.written} advisories from {report.source} ({ecosystems});"
        f" rejected {len(report.rejected)}{newer}\n"
    )


def _import_json(report: ImportReport) -> str:
    document = {
        "source": report.source,
        "written": report.written,
        "ecosystems": list(report.ecosystems),
        "rejected": _rejected_json(report.rejected),
        "kept_newer": list(report.kept_newer),
    }
    return json.dumps(document, indent=2) + "\n"


def _status_table(result: DatabaseStatus) -> str:
    now = datetime.now(UTC)
    rows = [
        (
            s.ecosystem,
            str(s.advisories),
            s.last_updated.strftime("%Y-%m-%d %H:%M UTC") if s.last_updated else "never",
            _age_text(now - s.last_updated if s.last_updated else None),
            s.source or "-",
        )
        for s in result.ecosystems
    ]
    header = f"database: {result.url}   oldest ecosystem: {_age_text(result.age)}\n"
    return header + _table(("Ecosystem", "Advisories", "Last update", "Age", "Source"), rows)


def _status_json(result: DatabaseStatus) -> str:
    now = datetime.now(UTC)
    document: dict[str, Any] = {
        "database": result.url,
        "age_seconds": _seconds(result.age),
        "ecosystems": [
            {
                "ecosystem": s.ecosystem,
                "advisories": s.advisories,
                "last_updated": s.last_updated.isoformat() if s.last_updated else None,
                "age_seconds": _seconds(now - s.last_updated if s.last_updated else None),
                "source": s.source,
            }
            for s in result.ecosystems
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    table = Table(header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(file=buffer, width=140, no_color=True, highlight=False, markup=False).print(table)
    return buffer.getvalue()


def _rejected_json(rejected: tuple[RejectedRecord, ...]) -> list[dict[str, str]]:
    return [{"id": r.id, "reason": r.reason} for r in rejected]


def _warn_rejected(rejected: list[RejectedRecord]) -> None:
    if not rejected:
        return
    typer.echo(f"regwarden: warning: {len(rejected)} record(s) rejected (not stored):", err=True)
    for record in rejected[:MAX_REJECTED_SHOWN]:
        typer.echo(f"  {record.id}: {record.reason}", err=True)
    if len(rejected) > MAX_REJECTED_SHOWN:
        typer.echo(f"  … and {len(rejected) - MAX_REJECTED_SHOWN} more (see -o json)", err=True)


def _age_text(age: timedelta | None) -> str:
    if age is None:
        return "never"
    hours = max(age.total_seconds(), 0) / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def _seconds(age: timedelta | None) -> int | None:
    return None if age is None else int(age.total_seconds())


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
