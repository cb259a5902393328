"""`regwarden audit acr`: the ACR posture against the hardening baseline, from files or live from Azure."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.posture.engine import RuleResult
    from regwarden.service.posture import AuditRequest

app = typer.Typer(help="Audit registry configuration against the hardening baseline.", no_args_is_help=True)


class AuditFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    JUNIT = "junit"


class ProfileName(StrEnum):
    PRODUCTION = "production"
    DEV = "dev"
    REGULATED = "regulated"


@app.command("acr")
def audit_acr(
    from_files: list[Path] = typer.Option(
        [],
        "--from",
        help="az/ARM JSON, resource export, ARM template (+ parameters file), Terraform plan/state JSON, "
        "or .tf file/directory. Repeatable.",
    ),
    subscription: str | None = typer.Option(None, "--subscription", help="Audit live through the Azure SDK."),
    resource_group: str | None = typer.Option(None, "--resource-group", help="Limit the live audit to one group."),
    output: AuditFormat = typer.Option(AuditFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    fail_on: str | None = typer.Option(
        "high",
        "--fail-on",
        help="Exit 1 when a FAIL at or above this severity remains (critical|high|medium|"
        "low|info); 'none' never fails.",
    ),
    profile: ProfileName | None = typer.Option(
        None, "--profile", help="Rule profile (default: from config, else production)."
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help="Posture config YAML (regions, CI principals, limits, suppressions)."
    ),
    only_rules: list[str] = typer.Option([], "--rule", help="Run only these rule ids. Repeatable."),
    skip_rules: list[str] = typer.Option([], "--skip-rule", help="Skip these rule ids. Repeatable."),
    fix_script: Path | None = typer.Option(
        None, "--fix-script", help="Also write a reviewable az script remediating the FAIL findings."
    ),
    hide_passed: bool = typer.Option(False, "--hide-passed", help="Table output: leave PASS rows out."),
    record: bool = typer.Option(
        False, "--record", help="Also store the results in the database (--db): the server shows them over time."
    ),
    db: str | None = options.DB,
) -> None:
    """Audit Azure Container Registries: every rule gives PASS, FAIL, UNKNOWN or SKIPPED with its evidence."""
    from regwarden.service import posture as service
    from regwarden.service.progress import stderr_progress

    request = service.AuditRequest(
        paths=tuple(from_files),
        subscription=subscription,
        resource_group=resource_group,
        profile=profile.value if profile else None,
        config_file=config_file,
        only_rules=tuple(only_rules),
        skip_rules=tuple(skip_rules),
    )
    results = service.audit_acr(request, progress=stderr_progress())
    if record:
        _record(results, request, db)
    options.write_output(service.render_audit(results, output.value, show_passed=not hide_passed), output_file)
    if fix_script is not None:
        options.write_output(service.render_audit(results, "fix-script"), fix_script)
    if service.audit_gate_failed(results, fail_on):
        raise typer.Exit(1)


def _record(results: list[RuleResult], request: AuditRequest, db: str | None) -> None:
    from regwarden.posture.config import load_config
    from regwarden.service.posture_history import record_audit
    from regwarden.store import open_store

    profile = request.profile or (
        load_config(request.config_file).profile.value if request.config_file else "production"
    )
    source = f"azure:{request.subscription}" if request.subscription else " ".join(str(p) for p in request.paths)
    with open_store(db) as store:
        run_id = record_audit(store, results, source, profile)
    typer.echo(f"regwarden: recorded {len(results)} results as posture run {run_id}", err=True)
