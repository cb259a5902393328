"""`regwarden ingest-event FILE|-`: catalog what a registry push notification announces."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class IngestFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def ingest_event(
    source: str = typer.Argument(
        ..., metavar="FILE|-", help="An ACR webhook, Event Grid / CloudEvents or CNCF distribution notification body."
    ),
    registry: str | None = typer.Option(
        None, "--registry", help="The registry the events came from, when they do not say (ACR chart events)."
    ),
    output: IngestFormat = typer.Option(IngestFormat.TABLE, "--output", "-o", help="Output format."),
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Catalog each pushed image; record deletes. An Event Grid validation handshake prints its answer."""
    from regwarden.model.errors import BadInputError
    from regwarden.report.sync_report import outcome_dict
    from regwarden.service.images import ImageOptions
    from regwarden.service.ingest import ingest_events
    from regwarden.service.settings import load_settings
    from regwarden.store import open_store

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot read {source}: {error.strerror or error}") from None
    settings = load_settings(config)
    image_options = ImageOptions.from_cli(None, insecure, username, password, timeout)
    with open_store(db) as store:
        report = ingest_events(store, data, image_options, registry=registry, endpoints=settings.endpoints)
    if report.validation_code is not None:
        typer.echo(json.dumps({"validationResponse": report.validation_code}))
        return
    if output is IngestFormat.JSON:
        document = {
            "catalogued": [outcome_dict(o) for o in report.catalogued],
            "deleted": list(report.deleted),
            "ignored": [{"event": e, "reason": r} for e, r in report.ignored],
            "skipped": list(report.skipped),
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        for outcome in report.catalogued:
            state = f"failed: {outcome.error}" if outcome.error else ("catalogued" if outcome.new else "already known")
            typer.echo(f"{outcome.reference}: {state}")
        for deleted in report.deleted:
            typer.echo(f"recorded {deleted}")
        for event, reason in report.ignored:
            typer.echo(f"ignored {event}: {reason}")
    for reason in report.skipped:
        typer.echo(f"regwarden: warning: unusable event {reason}", err=True)
    if any(outcome.error for outcome in report.catalogued):
        raise typer.Exit(4)
