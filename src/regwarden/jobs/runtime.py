"""Starting the pieces: the dispatcher a command submits through, a worker, and the schedule (Celery beat).

Without `REGWARDEN_BROKER` jobs run in-process; a worker or a schedule without a broker is a usage mistake, said
as one. A worker opens the store before it takes any message, so a database it cannot reach (or a schema it
cannot migrate) stops it at once with its own error, instead of failing every job it would take.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.jobs.broker import BROKER_ENV, BrokerConfig, broker_from_environ
from regwarden.jobs.context import Dispatcher
from regwarden.model.errors import BadInputError
from regwarden.service.settings import Settings

if TYPE_CHECKING:
    from regwarden.store import Store


@contextmanager
def open_dispatcher(
    store: Store, settings: Settings, environ: Mapping[str, str] | None = None, *, db_url: str | None = None
) -> Iterator[Dispatcher]:
    """Workers through the broker when `REGWARDEN_BROKER` is set, else the in-process runner."""
    from regwarden.jobs.inprocess import InProcessDispatcher

    env = os.environ if environ is None else environ
    broker = broker_from_environ(settings.jobs, env)
    if broker is None:
        yield InProcessDispatcher(store, settings, env, db_url=db_url)
        return
    from regwarden.jobs.celery_app import CeleryDispatcher, create_app

    app = create_app(broker, settings.jobs)
    try:
        yield CeleryDispatcher(app, store, settings.jobs)
    finally:
        app.close()


def require_broker(settings: Settings, what: str, environ: Mapping[str, str] | None = None) -> BrokerConfig:
    broker = broker_from_environ(settings.jobs, environ)
    if broker is None:
        raise BadInputError(
            f"{what} needs a broker: set {BROKER_ENV} (redis://HOST:6379/0, or azureservicebus://… in Azure); "
            "without one, jobs run in-process (`regwarden jobs submit`, `regwarden watch`)"
        )
    return broker


def start_worker(settings: Settings, concurrency: int, queues: Sequence[str], loglevel: str) -> None:
    """Run a Celery worker with `concurrency` processes on `queues` (default: both of regwarden's) until stopped."""
    from regwarden.jobs.celery_app import create_app
    from regwarden.store import open_store

    broker = require_broker(settings, "regwarden worker")
    with open_store():
        pass
    app = create_app(broker, settings.jobs)
    chosen = list(queues) or [settings.jobs.control_queue, settings.jobs.catalog_queue]
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            f"--loglevel={loglevel}",
            f"--hostname=regwarden-{os.getpid()}@%h",
            f"--queues={','.join(chosen)}",
            "--without-mingle",
            "--without-gossip",
        ]
    )


def start_beat(settings: Settings, update_advisories: bool, schedule_file: Path, loglevel: str) -> None:
    """Send one round now, then keep the schedule (a round every `watch.interval`) until stopped."""
    from regwarden.jobs.celery_app import create_app, task_name
    from regwarden.jobs.requests import WATCH_ROUND
    from regwarden.jobs.schedule import beat_schedule, round_message

    broker = require_broker(settings, "regwarden beat")
    app = create_app(broker, settings.jobs)
    app.conf.beat_schedule = beat_schedule(settings, update_advisories)
    schedule_file.parent.mkdir(parents=True, exist_ok=True)
    app.send_task(task_name(WATCH_ROUND), kwargs=round_message(update_advisories), queue=settings.jobs.control_queue)
    interval = int(settings.interval.total_seconds())
    app.Beat(schedule=str(schedule_file), loglevel=loglevel, max_interval=max(1, min(interval, 300))).run()


def default_schedule_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where beat remembers when each entry last ran: the user's cache dir (losing it costs one early round,
    which the slot key makes harmless)."""
    env = os.environ if environ is None else environ
    cache_home = env.get("XDG_CACHE_HOME") or ""
    base = Path(cache_home) if cache_home else Path(env.get("HOME") or Path.home()) / ".cache"
    return base / "regwarden" / "beat-schedule"
