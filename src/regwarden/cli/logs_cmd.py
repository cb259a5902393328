"""`regwarden logs analyze | alert-rules`: detections over ACR's audit logs, and the same detections as Azure
Monitor alert rules."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options

app = typer.Typer(help="Audit logs: detections over ACR's login, repository and activity logs.", no_args_is_help=True)


class LogsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"


class RulesFormat(StrEnum):
    BICEP = "bicep"
    ARM = "arm"
    JSON = "json"


@app.command("analyze")
def analyze(
    files: list[Path] = typer.Argument(
        None,
        help="Log Analytics exports (JSON, CSV), storage-account archives (insights-logs-…/PT1H.json), Activity "
        "Log exports; gzip-compressed files too.",
        show_default=False,
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Query this Log Analytics workspace (its ID) live instead of reading files."
    ),
    since: str | None = typer.Option(
        None,
        "--since",
        help="Analyse only this recent period (30m, 24h, 7d); the baseline window before it is read as history. "
        "Default: everything in the files; 24h for --workspace.",
    ),
    config: Path | None = options.CONFIG,
    db: str | None = options.DB,
    record: bool = typer.Option(
        True, "--record/--no-record", help="Store findings in the inventory database and queue their events."
    ),
    output: LogsFormat = typer.Option(LogsFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    fail_on: str | None = typer.Option(
        "high",
        "--fail-on",
        help="Exit 1 when a finding at or above this severity exists (critical|high|medium|low|info); 'none' never.",
    ),
) -> None:
    """Run the audit-log detections: every finding with its evidence records, and what could not be checked."""
    from regwarden.service import audit_logs

    request = audit_logs.LogsRequest(
        paths=tuple(files or ()), workspace=workspace, since=since, config_file=config, db=db, record=record
    )
    report = audit_logs.analyze_logs(request)
    options.write_output(audit_logs.render_logs(report, output.value), output_file)
    if report.read.skipped_count:
        typer.echo(
            f"regwarden: warning: {report.read.skipped_count} records could not be used; see the report", err=True
        )
    if audit_logs.logs_gate_failed(report.analysis.findings, fail_on):
        raise typer.Exit(1)


@app.command("alert-rules")
def alert_rules(
    output: RulesFormat = typer.Option(RulesFormat.BICEP, "--output", "-o", help="bicep, arm (a template) or json."),
    workspace_id: str | None = typer.Option(
        None,
        "--workspace-id",
        help="Resource id of the Log Analytics workspace the rules query (the template's workspaceId default).",
    ),
    config: Path | None = options.CONFIG,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="REGWARDEN_DB",
        help="Inventory database: its running digests go into the running-image rule (left out without it).",
    ),
    output_file: Path | None = options.OUTPUT_FILE,
) -> None:
    """Write the audit-log detections as Azure Monitor scheduled query rules (log search alerts), so the same
    detections also run inside Azure."""
    from regwarden.service.alert_rules import build_alert_rules, render_alert_rules

    rules = build_alert_rules(config, db)
    options.write_output(render_alert_rules(rules, output.value, workspace_id), output_file)
    for detection_id, reason in rules.not_written:
        typer.echo(f"regwarden: note: {detection_id} not written: {reason}", err=True)
