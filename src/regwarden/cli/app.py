"""The `regwarden` command line: one Typer app, one module per command group, registered explicitly below.

Command modules import their heavy dependencies inside the command function, and a command's module is imported
only when that command runs (cli/lazy.py), so start-up stays fast.
"""

from __future__ import annotations

import typer

from regwarden import __version__
from regwarden.cli.errors import run_guarded
from regwarden.cli.lazy import Entry, LazyGroup, command, group

_CLI = "regwarden.cli."

COMMANDS: dict[str, Entry] = {
    "inspect": command(_CLI + "inspect_cmd:inspect"),
    "sbom": command(_CLI + "sbom_cmd:sbom"),
    "diff": command(_CLI + "diff_cmd:diff"),
    "scan": command(_CLI + "scan_cmd:scan"),
    "audit": group(_CLI + "audit_cmd:app"),
    "rules": group(_CLI + "rules_cmd:app"),
    "db": group(_CLI + "db_cmd:app"),
    "sync": group(_CLI + "sync_cmd:app"),
    "inventory": group(_CLI + "inventory_cmd:app"),
    "ingest-event": command(_CLI + "ingest_cmd:ingest_event"),
    "affected": command(_CLI + "impact_cmd:affected"),
    "where": command(_CLI + "impact_cmd:where"),
    "watch": command(_CLI + "watch_cmd:watch"),
    "jobs": group(_CLI + "jobs_cmd:app"),
    "worker": command(_CLI + "worker_cmd:worker"),
    "beat": command(_CLI + "worker_cmd:beat"),
    "events": group(_CLI + "events_cmd:app"),
    "history": command(_CLI + "history_cmd:history"),
    "drift": command(_CLI + "drift_cmd:drift"),
    "triage": group(_CLI + "triage_cmd:app"),
    "logs": group(_CLI + "logs_cmd:app"),
    "referrers": command(_CLI + "trust_cmd:referrers"),
    "verify": command(_CLI + "trust_cmd:verify"),
    "sign": command(_CLI + "trust_cmd:sign"),
    "purge": command(_CLI + "purge_cmd:purge"),
    "lock": command(_CLI + "lock_cmd:lock"),
    "unlock": command(_CLI + "lock_cmd:unlock"),
    "promote": command(_CLI + "quarantine_cmd:promote"),
    "serve-admission": command(_CLI + "admission_cmd:serve_admission_deprecated", hidden=True),
    "serve": group(_CLI + "serve_cmd:app"),
    "users": group(_CLI + "users_cmd:app"),
    "quarantine": group(_CLI + "quarantine_cmd:app"),
}
"""Every command, in the order `--help` lists them, by the module that defines it (imported only when called)."""


class RegwardenGroup(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="regwarden",
    cls=RegwardenGroup,
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


def main() -> None:
    run_guarded(app)
