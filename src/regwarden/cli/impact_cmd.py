"""`regwarden affected ID` and `regwarden where PACKAGE[@VERSION]`: the impact questions, from the inventory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class AffectedFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class WhereFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def affected(
    identifier: str = typer.Argument(..., metavar="ID", help="A CVE, GHSA, OSV id or any alias of a vulnerability."),
    output: AffectedFormat = typer.Option(AffectedFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """Which running workloads (production first) and catalogued images a vulnerability affects.

    Exit 1 when a production workload is affected (triaged findings do not count), for scripts; exit 7 when no
    advisory or finding answers to the id.
    """
    from regwarden.service.impact import affected as find_affected
    from regwarden.store import open_store

    with open_store(db) as store:
        report = find_affected(store, identifier)
    if output is AffectedFormat.JSON:
        from regwarden.report.affected_json import render_affected_json as render
    elif output is AffectedFormat.MARKDOWN:
        from regwarden.report.affected_markdown import render_affected_markdown as render
    else:
        from regwarden.report.affected_table import render_affected_table as render
    options.write_output(render(report), output_file)
    if report.production_affected:
        raise typer.Exit(1)


def where(
    package: str = typer.Argument(
        ...,
        metavar="PACKAGE[@VERSION]",
        help="A name or purl, optionally with a version or range: log4j-core@<2.17.1, urllib3@>=1.24,<1.26.5, "
        "pkg:npm/lodash@4.17.15, lodash@vers:npm/>=4.0.0|<4.17.21.",
    ),
    output: WhereFormat = typer.Option(WhereFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """Every catalogued image holding a package (in a version range), and the workloads running it."""
    from regwarden.report.inventory_report import render_where_json, render_where_table
    from regwarden.service.impact import where as find_where
    from regwarden.store import open_store

    with open_store(db) as store:
        report = find_where(store, package)
    render = render_where_json if output is WhereFormat.JSON else render_where_table
    options.write_output(render(report), output_file)
