"""`regwarden watch`: update advisories, re-match, sync registries and clusters, deliver events, every interval."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import typer

from regwarden.cli import options


def watch(
    interval: str | None = typer.Option(
        None, "--interval", help="Time between rounds: 30s, 5m, 1h (default: the config's watch.interval, else 5m)."
    ),
    once: bool = typer.Option(False, "--once", help="Run one round and exit (for cron or a Kubernetes CronJob)."),
    update: bool = typer.Option(
        True, "--update/--no-update", help="Update the advisory database each round (off: air-gapped, import-fed)."
    ),
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
) -> None:
    """The loop that makes "within minutes" true; stops cleanly on SIGTERM or Ctrl-C between steps.

    Only one watcher works on a database at a time (a lease in the database); a second one waits. The registries
    and clusters to sync come from the config's `watch` section. With --once, the exit code is 4 when a step failed.
    """
    from regwarden.durations import parse_duration
    from regwarden.service.settings import load_settings
    from regwarden.service.watch import WatchOptions
    from regwarden.service.watch import watch as run_watch

    settings = load_settings(config)
    watch_options = WatchOptions(
        db_url=db, interval=parse_duration(interval) if interval else None, once=once, update_advisories=update
    )
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        _log(f"received {signal.Signals(signum).name}: stopping after the current step")
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        rounds = run_watch(settings, watch_options, stop, _log)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if once and any(report.failed for report in rounds):
        raise typer.Exit(4)


def _log(message: str) -> None:
    typer.echo(f"{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} {message}", err=True)
