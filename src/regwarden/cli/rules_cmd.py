"""`regwarden rules list|show`: the posture rules, their metadata and their anchors."""

from __future__ import annotations

import typer

app = typer.Typer(help="List and explain the posture rules.", no_args_is_help=True)


@app.command("list")
def list_rules() -> None:
    """Every rule: id, severity, profiles and title."""
    from regwarden.service import posture as service

    typer.echo(service.render_rule_list().decode(), nl=False)


@app.command("show")
def show_rule(rule_id: str = typer.Argument(..., help="Rule id, e.g. RW-ACR-001.")) -> None:
    """One rule in full: rationale, remediation (az, Bicep, Terraform) and the matching anchor checks."""
    from regwarden.service import posture as service

    typer.echo(service.render_rule_detail(rule_id).decode(), nl=False)
