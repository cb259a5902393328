"""`regwarden drift`: where what runs has drifted from the registries and from current advisory data.

Exit codes: 0 the report was produced (drift or not: it is a report unless asked to gate), 1 with `--fail-on`
when one of the named lists has an entry, 3 bad option value, 8 no cluster synced (nothing is known to run).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options
from regwarden.model.finding import Severity


class DriftFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def drift(
    max_db_age: float = typer.Option(
        7.0, "--max-db-age", help="Days: a running image whose findings rest on older advisory data is stale."
    ),
    severity: str = typer.Option(
        "critical,high", "--severity", help="Severities of the fixable findings to list, comma-separated."
    ),
    fail_on: str | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 1 when one of these lists has an entry: comma-separated unknown, moved, fixable, stale, or any. "
        "Without it drift is a report and exits 0.",
    ),
    output: DriftFormat = typer.Option(DriftFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """Running digests no synced registry holds, tags that moved away from what runs, fixable critical/high
    findings nobody triaged, and images never scanned or matched against stale advisory data."""
    from regwarden.report.drift_json import render_drift_json
    from regwarden.report.drift_table import render_drift_table
    from regwarden.service.drift import DriftOptions
    from regwarden.service.drift import drift as find_drift
    from regwarden.store import open_store

    gate = _gate_kinds(fail_on)
    drift_options = DriftOptions(max_db_age_days=_days(max_db_age), severities=_severities(severity))
    with open_store(db) as store:
        report = find_drift(store, drift_options)
    render = render_drift_json if output is DriftFormat.JSON else render_drift_table
    options.write_output(render(report), output_file)
    if gate and report.drifted(gate):
        found = ", ".join(f"{kind} {report.counts[kind]}" for kind in gate if report.counts[kind])
        typer.echo(f"regwarden: drift found: {found}", err=True)
        raise typer.Exit(1)


def _gate_kinds(text: str | None) -> tuple[str, ...]:
    from regwarden.model.drift import DRIFT_KINDS
    from regwarden.model.errors import BadInputError

    if text is None:
        return ()
    kinds = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    if "any" in kinds:
        return DRIFT_KINDS
    unknown = sorted(set(kinds) - set(DRIFT_KINDS))
    if unknown or not kinds:
        raise BadInputError(f"--fail-on: {', '.join(unknown) or text!r}: expected any or {', '.join(DRIFT_KINDS)}")
    return tuple(kind for kind in DRIFT_KINDS if kind in kinds)


def _severities(text: str) -> frozenset[Severity]:
    from regwarden.model.errors import BadInputError

    try:
        chosen = frozenset(Severity.parse(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise BadInputError(f"--severity: {error}") from None
    if not chosen:
        raise BadInputError("--severity: name at least one severity, e.g. critical,high")
    return chosen


def _days(value: float) -> float:
    from regwarden.model.errors import BadInputError

    if value <= 0:
        raise BadInputError(f"--max-db-age: {value:g} is not a number of days above 0")
    return value
