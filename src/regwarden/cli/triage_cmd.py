"""`regwarden triage ID …`, `triage list [ID]`, `triage export`: decisions about vulnerabilities, kept with who
and when, honoured by `affected`, `history`, `drift` and the production exposures, and exported as OpenVEX.

`regwarden triage ID …` is short for `regwarden triage add ID …`.
Exit codes: 0 recorded, 2 usage (no scope, or two), 3 bad value (empty reason, past expiry, a package the
vulnerability was not found in), 7 nothing answers to ID, or the image or repository is not in the inventory.
"""

from __future__ import annotations

import os
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from regwarden.cli import options
from regwarden.model.inventory import TriageScope, TriageState


class _DefaultsToAdd(TyperGroup):
    """`triage CVE-… --image …` runs `triage add CVE-… --image …`: a vulnerability id is never a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["add", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


app = typer.Typer(
    cls=_DefaultsToAdd,
    help="Triage: record that a vulnerability does not matter here (and why, who, until when); list; export VEX.",
    no_args_is_help=True,
)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ExportFormat(StrEnum):
    OPENVEX = "openvex"


AUTHOR = typer.Option(
    None, "--author", envvar="REGWARDEN_USER", help="Who decides. Default: $REGWARDEN_USER, else the OS user."
)


@app.command("add")
def add(
    identifier: str = typer.Argument(..., metavar="ID", help="A vulnerability id or alias (CVE, GHSA, PYSEC, …)."),
    image: str | None = typer.Option(
        None, "--image", help="One image: a digest, or REGISTRY/REPO:TAG or @DIGEST as the inventory knows it."
    ),
    repo: str | None = typer.Option(None, "--repo", help="Every image of one repository: REGISTRY/REPOSITORY."),
    every_image: bool = typer.Option(False, "--all", help="Every image."),
    state: TriageState = typer.Option(..., "--state", help="The decision."),
    reason: str = typer.Option(..., "--reason", help="Why: what the next person reads."),
    package: str | None = typer.Option(None, "--package", help="Only this package (by name)."),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD: the last day the decision applies."),
    author: str | None = AUTHOR,
    output: ListFormat = typer.Option(ListFormat.TABLE, "--output", "-o", help="Output format (table: one line)."),
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
) -> None:
    """Record a triage decision; the production exposures it covers close (and their events are written)."""
    from regwarden.service.settings import load_settings
    from regwarden.service.triage import TriageRequest, record_triage
    from regwarden.store import open_store

    scope, target = _scope(image, repo, every_image)
    request = TriageRequest(
        identifier, scope, target, state, reason, _author(author), package or "", _expiry(expires)
    )  # fmt: skip
    endpoints = load_settings(config).endpoints
    with open_store(db) as store:
        outcome = record_triage(store, request, endpoints)
    if output is ListFormat.JSON:
        from regwarden.report.triage_list import render_triage_outcome_json

        options.write_output(render_triage_outcome_json(outcome), None)
        return
    first = outcome.decisions[0]
    where = {"image": "image(s) " + ", ".join(d.target for d in outcome.decisions), "all": "every image"}
    typer.echo(
        f"recorded: {first.vuln_id} {first.state.value} for {where.get(first.scope.value, first.target)}"
        f"{f' ({first.package})' if first.package else ''} by {first.author}; covers {outcome.covered} finding(s) in "
        f"{outcome.images} image(s); {outcome.exposures_closed} production exposure(s) closed, "
        f"{outcome.events} event(s)"
    )


@app.command("list")
def list_(
    identifier: str | None = typer.Argument(None, metavar="[ID]", help="Only decisions about this vulnerability."),
    output: ListFormat = typer.Option(ListFormat.TABLE, "--output", "-o", help="Output format."),
    db: str | None = options.DB,
) -> None:
    """Every decision, history included: active, expired, or superseded by a newer one for the same target."""
    from regwarden.report.triage_list import render_triage_list_json, render_triage_list_table
    from regwarden.service.triage import list_triage
    from regwarden.store import open_store

    with open_store(db) as store:
        listing = list_triage(store, identifier)
    render = render_triage_list_json if output is ListFormat.JSON else render_triage_list_table
    options.write_output(render(listing), None)


@app.command("export")
def export(
    output: ExportFormat = typer.Option(ExportFormat.OPENVEX, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    author: str | None = AUTHOR,
    db: str | None = options.DB,
) -> None:
    """The active decisions as an OpenVEX 0.2.0 document (for `scan --vex`, or any VEX-aware scanner)."""
    from regwarden.report.triage_openvex import render_triage_openvex
    from regwarden.service.triage_export import export_triage
    from regwarden.store import open_store

    with open_store(db) as store:
        result = export_triage(store, _author(author))
    for decision, why in result.skipped:
        typer.echo(f"regwarden: warning: not exported: {decision.vuln_id} ({decision.scope.value}): {why}", err=True)
    options.write_output(render_triage_openvex(result), output_file)


def _scope(image: str | None, repo: str | None, every_image: bool) -> tuple[TriageScope, str]:
    given = [(TriageScope.IMAGE, image), (TriageScope.REPOSITORY, repo), (TriageScope.ALL, "" if every_image else None)]
    chosen = [(scope, value) for scope, value in given if value is not None]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --image, --repo or --all")
    return chosen[0]


def _author(given: str | None) -> str:
    import getpass

    if given:
        return given
    try:
        return os.environ.get("REGWARDEN_USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


def _expiry(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date: use YYYY-MM-DD", param_hint="--expires") from None
