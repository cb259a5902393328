"""The `regwarden` command line: one Typer app, one module per command group, registered explicitly below.

Command modules import their heavy dependencies inside the command function, so `regwarden --help` stays fast.
"""

from __future__ import annotations

import typer

from regwarden import __version__
from regwarden.cli import (
    admission_cmd,
    audit_cmd,
    db_cmd,
    diff_cmd,
    drift_cmd,
    events_cmd,
    history_cmd,
    impact_cmd,
    ingest_cmd,
    inspect_cmd,
    inventory_cmd,
    jobs_cmd,
    lock_cmd,
    logs_cmd,
    purge_cmd,
    quarantine_cmd,
    rules_cmd,
    sbom_cmd,
    scan_cmd,
    serve_cmd,
    sync_cmd,
    triage_cmd,
    trust_cmd,
    users_cmd,
    watch_cmd,
    worker_cmd,
)
from regwarden.cli.errors import GuardedGroup, run_guarded

app = typer.Typer(
    name="regwarden",
    cls=GuardedGroup,
    help="Secure a container image pipeline: registry posture, SBOMs, vulnerabilities, inventory and trust.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"regwarden {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """regwarden: ACR first, any OCI registry."""


app.command("inspect")(inspect_cmd.inspect)
app.command("sbom")(sbom_cmd.sbom)
app.command("diff")(diff_cmd.diff)
app.command("scan")(scan_cmd.scan)
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(rules_cmd.app, name="rules")
app.add_typer(db_cmd.app, name="db")
app.add_typer(sync_cmd.app, name="sync")
app.add_typer(inventory_cmd.app, name="inventory")
app.command("ingest-event")(ingest_cmd.ingest_event)
app.command("affected")(impact_cmd.affected)
app.command("where")(impact_cmd.where)
app.command("watch")(watch_cmd.watch)
app.add_typer(jobs_cmd.app, name="jobs")
app.command("worker")(worker_cmd.worker)
app.command("beat")(worker_cmd.beat)
app.add_typer(events_cmd.app, name="events")
app.command("history")(history_cmd.history)
app.command("drift")(drift_cmd.drift)
app.add_typer(triage_cmd.app, name="triage")
app.add_typer(logs_cmd.app, name="logs")
app.command("referrers")(trust_cmd.referrers)
app.command("verify")(trust_cmd.verify)
app.command("sign")(trust_cmd.sign)
app.command("purge")(purge_cmd.purge)
app.command("lock")(lock_cmd.lock)
app.command("unlock")(lock_cmd.unlock)
app.command("promote")(quarantine_cmd.promote)
app.command("serve-admission", hidden=True)(admission_cmd.serve_admission_deprecated)
app.add_typer(serve_cmd.app, name="serve")
app.add_typer(users_cmd.app, name="users")
app.add_typer(quarantine_cmd.app, name="quarantine")


def main() -> None:
    run_guarded(app)
