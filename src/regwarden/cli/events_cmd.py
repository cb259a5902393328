"""`regwarden events [list] | deliver`: the event log of the inventory and the delivery of its outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options
from regwarden.model.errors import BadInputError, UnreachableError

if TYPE_CHECKING:
    from regwarden.inventory.notifications import Webhook

app = typer.Typer(
    help="Events (new and resolved exposures of production workloads) and their delivery to webhooks. Without a "
    "command, lists events (the options below, as `events list`).",
    invoke_without_command=True,
)


class EventsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


OUTPUT = typer.Option(EventsFormat.TABLE, "--output", "-o", help="Output format.")
KIND = typer.Option(
    None,
    "--kind",
    help="Only events of this kind: workload.affected, workload.resolved, audit.finding or admission.denied.",
)
SINCE = typer.Option(None, "--since", help="Only events newer than this: a duration (30m, 12h, 7d) ago.")
LIMIT = typer.Option(100, "--limit", min=1, help="At most this many events, newest first.")


@app.callback()
def events(
    ctx: typer.Context,
    kind: str | None = KIND,
    since: str | None = SINCE,
    limit: int = LIMIT,
    db: str | None = options.DB,
    output: EventsFormat = OUTPUT,
) -> None:
    """List events, newest first, with the state of each delivery (`events` alone is `events list`)."""
    if ctx.invoked_subcommand is None:
        _list(kind, since, limit, db, output)


@app.command("list")
def list_(
    kind: str | None = KIND,
    since: str | None = SINCE,
    limit: int = LIMIT,
    db: str | None = options.DB,
    output: EventsFormat = OUTPUT,
) -> None:
    """List events, newest first, with the state of each delivery."""
    _list(kind, since, limit, db, output)


@app.command("deliver")
def deliver(
    config: Path | None = options.CONFIG,
    max_attempts: int = typer.Option(8, "--max-attempts", min=1, help="Attempts per delivery before it fails."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Per-request timeout in seconds."),
    db: str | None = options.DB,
    output: EventsFormat = OUTPUT,
) -> None:
    """One delivery pass over the outbox to the webhooks of the config's `notifications` section. Exits 4 when a
    delivery failed for good in this pass."""
    from regwarden.report.events_report import deliveries, render_delivery_json, render_delivery_table
    from regwarden.service.notify import deliver_pending
    from regwarden.store import open_store

    webhooks = _webhooks(config)
    with open_store(db) as store:
        report = deliver_pending(store, webhooks, max_attempts=max_attempts, timeout=timeout)
    render = render_delivery_json if output is EventsFormat.JSON else render_delivery_table
    typer.echo(render(report).decode(), nl=False)
    for endpoint, pending in report.unconfigured:
        typer.echo(f"regwarden: warning: {deliveries(pending)} wait for {endpoint}, which is not configured", err=True)
    if report.failed:
        names = ", ".join(sorted({attempt.endpoint for attempt in report.failed}))
        failed = deliveries(len(report.failed))
        raise UnreachableError(f"{failed} failed for good ({names}); see `regwarden events`")


def _webhooks(config: Path | None) -> tuple[Webhook, ...]:
    """The configured webhooks: the one place that reads the config for this command."""
    from regwarden.service.settings import load_settings

    return load_settings(config).webhooks


def _list(kind: str | None, since: str | None, limit: int, db: str | None, output: EventsFormat) -> None:
    from regwarden.durations import parse_duration
    from regwarden.inventory.events import EVENT_KINDS
    from regwarden.report.events_report import render_events_json, render_events_table
    from regwarden.store import open_store

    if kind is not None and kind not in EVENT_KINDS:
        raise BadInputError(f"--kind: unknown kind {kind!r}; expected one of: {', '.join(EVENT_KINDS)}")
    after = datetime.now(UTC) - parse_duration(since) if since is not None else None
    with open_store(db) as store:
        found = store.events.recent(kind=kind, since=after, limit=limit)
    render = render_events_json if output is EventsFormat.JSON else render_events_table
    typer.echo(render(found).decode(), nl=False)
