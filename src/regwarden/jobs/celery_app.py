"""The Celery app: regwarden's job kinds as tasks, and how they are delivered.

Delivery is at least once, and the jobs table makes it exactly once in effect:
- acknowledged late (when the job ends), and rejected back to the queue when the worker process running it dies,
  so a job in progress on a worker that is killed is delivered again (`task_acks_late`,
  `task_reject_on_worker_lost`); a worker that disappears whole leaves its message unacknowledged, and the broker
  hands it out again after the visibility timeout (Redis) or when its lock lapses (Service Bus);
- one message at a time per worker process (`worker_prefetch_multiplier = 1`), so a job waits in the queue for the
  next free worker instead of behind a busy one;
- no result backend: the jobs table holds each job's state and result, and `regwarden jobs` reads it.
Celery is imported only when an app is made, never at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from regwarden.jobs.broker import BrokerConfig
from regwarden.jobs.definitions import ALL_JOBS, JobDefinition, definition_of
from regwarden.model.errors import UnreachableError
from regwarden.model.job import JobRequest, Submission
from regwarden.service.job_settings import JobSettings

if TYPE_CHECKING:
    from celery import Celery

    from regwarden.store import Store

TASK_PREFIX = "regwarden."


def task_name(kind: str) -> str:
    return TASK_PREFIX + kind


def queue_for(definition: JobDefinition, jobs: JobSettings) -> str:
    return jobs.catalog_queue if definition.many else jobs.control_queue


def configuration(broker: BrokerConfig, jobs: JobSettings) -> dict[str, Any]:
    """Celery settings (see the module docstring for why each delivery setting is what it is)."""
    soft_limit = int(jobs.time_limit.total_seconds())
    return {
        "broker_url": broker.url,
        "broker_transport_options": dict(broker.transport_options),
        "broker_connection_retry_on_startup": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "worker_enable_remote_control": broker.remote_control,
        "worker_send_task_events": False,
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "enable_utc": True,
        "timezone": "UTC",
        "task_default_queue": jobs.control_queue,
        "task_routes": {task_name(d.kind): {"queue": queue_for(d, jobs)} for d in ALL_JOBS},
        # The soft limit raises inside the job, which records it as failed; the hard limit is the backstop.
        "task_soft_time_limit": soft_limit,
        "task_time_limit": soft_limit + 60,
    }


def create_app(broker: BrokerConfig, jobs: JobSettings) -> Celery:
    """A Celery app for `broker` with one task per job kind."""
    from celery import Celery

    app = Celery("regwarden", set_as_current=False)
    app.conf.update(configuration(broker, jobs))
    for definition in ALL_JOBS:
        # max_retries None: Celery never gives up on its own; the runner decides (jobs.max_retries).
        app.task(name=task_name(definition.kind), bind=True, max_retries=None, ignore_result=True)(_task(definition))
    return app


def _task(definition: JobDefinition) -> Callable[..., str]:
    def task(self: Any, job_id: int | None = None, scheduled: Mapping[str, Any] | None = None) -> str:
        from regwarden.jobs.worker_tasks import run_task

        return run_task(self, definition, job_id, scheduled)

    return task


class CeleryDispatcher:
    """Records a job under its key and sends it to the workers (the message carries only the job's id)."""

    def __init__(self, app: Celery, store: Store, jobs: JobSettings) -> None:
        self.app, self.store, self.jobs = app, store, jobs

    @property
    def distributed(self) -> bool:
        return True

    def submit(self, request: JobRequest) -> Submission:
        [submission] = self.submit_many([request])
        return submission

    def submit_many(self, requests: Sequence[JobRequest]) -> list[Submission]:
        definitions = {request.kind: definition_of(request.kind) for request in requests}
        submissions = self.store.jobs.submit_many(requests, resend_after=self.jobs.visibility_timeout)
        with self.app.producer_or_acquire() as producer:  # one connection for the lot
            for submission in submissions:
                if submission.new:
                    self.send(definitions[submission.job.kind], submission.job.id, producer=producer)
        return submissions

    def send(
        self, definition: JobDefinition, job_id: int, countdown: timedelta | None = None, producer: Any = None
    ) -> None:
        from kombu.exceptions import KombuError

        try:
            self.app.send_task(
                task_name(definition.kind),
                kwargs={"job_id": job_id},
                queue=queue_for(definition, self.jobs),
                countdown=countdown.total_seconds() if countdown else None,
                producer=producer,
            )
        except (KombuError, OSError) as error:
            self.store.jobs.mark_unsent(job_id, f"the broker did not take the job: {error}")
            raise UnreachableError(f"the job broker did not take job {job_id}: {error}") from error
