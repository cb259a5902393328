"""`regwarden worker` and `regwarden beat`: a Celery worker that runs jobs, and the schedule that drives the
watch round on workers. Both need `REGWARDEN_BROKER`; the store is `--db` / `REGWARDEN_DB` (PostgreSQL when workers
run on more than one machine)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from regwarden.cli import options

LOGLEVEL = typer.Option("INFO", "--loglevel", help="Log level: DEBUG, INFO, WARNING, ERROR.")


def worker(
    concurrency: int = typer.Option(
        2, "--concurrency", "-c", min=1, max=64, help="Worker processes (jobs at once); about one per core."
    ),
    queue: list[str] = typer.Option(
        [], "--queue", "-Q", help="Only these queues (repeatable). Default: both (PREFIX and PREFIX.catalog)."
    ),
    loglevel: str = LOGLEVEL,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
) -> None:
    """Run jobs from the broker until stopped (SIGTERM: finish the jobs in hand, then exit).

    A job is acknowledged only when it ends: if this worker dies, its jobs go to another worker, which takes them
    over once their claim expires (`jobs.claim_ttl`). Jobs that fail for a reason that may pass are retried with
    exponential backoff (`jobs.max_retries`, `jobs.retry_backoff`).
    """
    from regwarden.jobs.runtime import start_worker
    from regwarden.service.settings import load_settings

    settings = load_settings(config)
    _export(db, config)  # the worker's processes open the store and read the settings themselves
    start_worker(settings, concurrency, queue, loglevel.upper())


def beat(
    update: bool = typer.Option(
        True, "--update/--no-update", help="Update the advisory database each round (off: air-gapped, import-fed)."
    ),
    schedule_file: Path | None = typer.Option(
        None, "--schedule-file", help="Where beat remembers its last runs (default: the user's cache dir)."
    ),
    loglevel: str = LOGLEVEL,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
) -> None:
    """Send a watch round to the workers now and every `watch.interval` (Celery beat); run exactly one.

    Each round's steps (advisory update, each watched registry, each watched cluster, delivery) become jobs keyed
    by the round's time slot, so a second beat by mistake does not double the work.
    """
    from regwarden.jobs.runtime import default_schedule_file, start_beat
    from regwarden.service.settings import load_settings

    settings = load_settings(config)
    _export(db, config)
    start_beat(settings, update, schedule_file or default_schedule_file(), loglevel.upper())


def _export(db: str | None, config: Path | None) -> None:
    if db:
        os.environ["REGWARDEN_DB"] = db
    if config is not None:
        os.environ["REGWARDEN_CONFIG"] = str(config.resolve())
