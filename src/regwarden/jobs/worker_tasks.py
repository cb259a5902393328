"""What a worker process does with one task message: find (or, for a scheduled one, record) the job, run it
(jobs/execute.py), and turn the outcome into Celery's terms.

- RETRY: Celery's retry, after an exponential backoff with full jitter (Celery's own interval function:
  `jobs.retry_backoff` doubled per retry, up to `jobs.retry_backoff_max`), up to `jobs.max_retries` times;
- BUSY (another worker holds the job: a message delivered twice): sent again for when that claim would expire,
  without counting as a retry; by then the job is done (nothing happens) or its holder is gone (it is taken over);
- the database unreachable: retried the same way, since nothing about the job could be read or written.

Each worker process opens its own store and reads the settings once, on its first task (after the fork).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from regwarden.jobs.celery_app import CeleryDispatcher
from regwarden.jobs.context import JobContext
from regwarden.jobs.definitions import JobDefinition
from regwarden.jobs.execute import Verdict, execute
from regwarden.jobs.schedule import scheduled_request
from regwarden.service.job_settings import JobSettings
from regwarden.service.settings import Settings

log = logging.getLogger("regwarden.jobs")


@dataclass(frozen=True)
class WorkerProcess:
    context: JobContext
    dispatcher: CeleryDispatcher
    settings: Settings


_processes: dict[int, WorkerProcess] = {}


def worker_process(app: Any) -> WorkerProcess:
    """This process's store, settings and dispatcher, made on first use (a forked child makes its own)."""
    from regwarden.service.settings import load_settings
    from regwarden.store import open_store

    found = _processes.get(os.getpid())
    if found is None:
        settings = load_settings()
        store = open_store()
        dispatcher = CeleryDispatcher(app, store, settings.jobs)
        found = WorkerProcess(JobContext(store, settings, dispatcher, os.environ), dispatcher, settings)
        _processes.clear()  # a parent's entry is never used after the fork
        _processes[os.getpid()] = found
    return found


def run_task(task: Any, definition: JobDefinition, job_id: int | None, scheduled: Mapping[str, Any] | None) -> str:
    process = worker_process(task.app)
    jobs = process.settings.jobs
    retries = int(task.request.retries or 0)
    retry_in = backoff(jobs, retries) if retries < jobs.max_retries else None
    owner = f"{task.request.hostname or socket.gethostname()}:{os.getpid()}"
    try:
        if job_id is None:
            job_id = _record_scheduled(process, definition, scheduled)
            if job_id is None:
                return "this slot's job was submitted already"
        outcome = execute(definition, job_id, process.context, owner=owner, retry_in=retry_in, claim_ttl=jobs.claim_ttl)
    except sa.exc.OperationalError as error:
        if retry_in is None:
            raise
        log.warning("job %s: the database is unreachable, retrying in %s: %s", job_id, retry_in, error)
        raise task.retry(
            kwargs={"job_id": job_id, "scheduled": scheduled}, countdown=retry_in.total_seconds()
        ) from None
    if outcome.verdict is Verdict.RETRY and retry_in is not None:
        log.info("job %s: %s; retry %d in %s", job_id, outcome.error, retries + 1, retry_in)
        raise task.retry(kwargs={"job_id": job_id}, countdown=retry_in.total_seconds())
    if outcome.verdict is Verdict.BUSY:
        process.dispatcher.send(definition, job_id, countdown=outcome.busy_for + timedelta(seconds=1))
    return outcome.verdict.value


def backoff(jobs: JobSettings, retries: int) -> timedelta:
    from celery.utils.time import get_exponential_backoff_interval

    seconds = get_exponential_backoff_interval(
        factor=int(jobs.retry_backoff.total_seconds()),
        retries=retries,
        maximum=int(jobs.retry_backoff_max.total_seconds()),
        full_jitter=True,
    )
    return timedelta(seconds=max(1, seconds))


def _record_scheduled(
    process: WorkerProcess, definition: JobDefinition, scheduled: Mapping[str, Any] | None
) -> int | None:
    """A message from the schedule carries no job: record it under its slot's key (None: recorded already)."""
    request = scheduled_request(definition.kind, scheduled or {}, process.settings, datetime.now(UTC))
    submission = process.context.store.jobs.submit(request)
    return submission.job.id if submission.new else None
