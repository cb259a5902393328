"""`regwarden history REPO[:TAG]`: a repository's (or a tag's) builds in order, with what changed between them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class HistoryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def history(
    target: str = typer.Argument(
        ..., help="REPOSITORY or REPOSITORY:TAG, by its exact name (shop/web:1.4); a registry/ prefix is allowed."
    ),
    registry: str | None = typer.Option(
        None, "--registry", help="The registry host, when several registries hold a repository of that name."
    ),
    output: HistoryFormat = typer.Option(HistoryFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
) -> None:
    """Builds in order (a tag's history, or every digest of the repository by creation time), with the packages
    added, removed and changed and the vulnerabilities introduced and fixed since the build before."""
    from regwarden.report.history_json import render_history_json
    from regwarden.report.history_markdown import render_history_markdown
    from regwarden.report.history_table import render_history_table
    from regwarden.service.history import history as build_history
    from regwarden.store import open_store

    with open_store(db) as store:
        report = build_history(store, target, registry)
    renderers = {
        HistoryFormat.TABLE: render_history_table,
        HistoryFormat.JSON: render_history_json,
        HistoryFormat.MARKDOWN: render_history_markdown,
    }
    options.write_output(renderers[output](report), output_file)
