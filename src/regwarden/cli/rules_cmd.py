"""`regwarden rules list|show`: the posture rules, their metadata and their anchors."""

from __future__ import annotations

from enum import StrEnum

import typer

app = typer.Typer(help="List and explain the posture rules.", no_args_is_help=True)


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command("list")
def list_rules(
    output: ListFormat = typer.Option(ListFormat.TABLE, "--output", "-o", help="Output format."),
) -> None:
    """Every rule: id, severity, profiles and title (`-o json`: every field of every rule)."""
    from regwarden.service import posture as service

    typer.echo(service.render_rule_list(output.value).decode(), nl=False)


@app.command("show")
def show_rule(
    rule_id: str = typer.Argument(..., help="Rule id, e.g. RW-ACR-001."),
    output: ShowFormat = typer.Option(ShowFormat.TEXT, "--output", "-o", help="Output format."),
) -> None:
    """One rule in full: rationale, remediation (az, Bicep, Terraform) and the matching anchor checks."""
    from regwarden.service import posture as service

    typer.echo(service.render_rule_detail(rule_id, output.value).decode(), nl=False)
