"""Run one recorded job: claim it, keep the claim alive while working, record how it ended.

The same steps in-process and on a worker:
1. Claim the job (store/jobs.py). A job done already (a message delivered twice) is left alone; a job another
   worker holds is reported busy, and the caller asks again once that claim could have expired.
2. While the job function runs, a heartbeat renews the claim every third of its lifetime. A worker that dies
   stops renewing, so its claim expires and the job's next delivery is claimed by a live worker.
3. The function's one-line result finishes the job: succeeded, or failed when it starts with `failed:` (a sync in
   which some images could not be read). An UnreachableError (a registry, endpoint or the advisory source down) is
   retried later when the caller has retries left; any other RegwardenError fails the job for good, with its
   message. An unexpected exception fails it too and is raised again, so the worker logs its traceback.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa

from regwarden.jobs.context import JobContext
from regwarden.jobs.definitions import JobDefinition
from regwarden.model.errors import RegwardenError, UnreachableError
from regwarden.model.job import Job, JobState
from regwarden.store.jobs import ClaimOutcome

if TYPE_CHECKING:
    from regwarden.store.jobs import JobRepository

log = logging.getLogger("regwarden.jobs")


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRY = "retry"
    BUSY = "busy"
    DONE_ALREADY = "done already"
    MISSING = "missing"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    job: Job | None = None
    error: RegwardenError | None = None
    busy_for: timedelta = timedelta(0)
    """BUSY: until the other holder's claim would expire."""


def execute(
    definition: JobDefinition,
    job_id: int,
    context: JobContext,
    *,
    owner: str,
    retry_in: timedelta | None,
    claim_ttl: timedelta,
) -> Outcome:
    """Run job `job_id` for `owner`; `retry_in` is when a retryable failure is tried again (None: no retry left)."""
    jobs = context.store.jobs
    claim = jobs.claim(job_id, owner, claim_ttl)
    if claim.outcome is ClaimOutcome.MISSING:
        return Outcome(Verdict.MISSING)
    if claim.outcome is ClaimOutcome.DONE:
        return Outcome(Verdict.DONE_ALREADY, claim.job)
    if claim.outcome is ClaimOutcome.BUSY:
        return Outcome(Verdict.BUSY, claim.job, busy_for=_until(claim.busy_until, claim_ttl))
    assert claim.job is not None
    with Heartbeat(jobs, job_id, owner, claim_ttl):
        try:
            result = definition.run(context, claim.job.args)
        except RegwardenError as error:
            return _failed_attempt(jobs, job_id, owner, error, retry_in)
        except sa.exc.OperationalError:
            raise  # the database is gone: nothing can be recorded; the claim expires and the job is delivered again
        except Exception as error:
            jobs.finish(job_id, owner, JobState.FAILED, error=f"{type(error).__name__}: {error}")
            raise
    state = JobState.FAILED if result.startswith("failed:") else JobState.SUCCEEDED
    if not jobs.finish(job_id, owner, state, result=result):
        log.warning("job %s finished after its claim was lost; its result was not recorded: %s", job_id, result)
    return Outcome(Verdict(state.value), jobs.get(job_id))


def _failed_attempt(
    jobs: JobRepository, job_id: int, owner: str, error: RegwardenError, retry_in: timedelta | None
) -> Outcome:
    if isinstance(error, UnreachableError) and retry_in is not None:
        jobs.retry_later(job_id, owner, str(error), datetime.now(UTC) + retry_in)
        return Outcome(Verdict.RETRY, jobs.get(job_id), error)
    jobs.finish(job_id, owner, JobState.FAILED, error=str(error))
    return Outcome(Verdict.FAILED, jobs.get(job_id), error)


def _until(busy_until: datetime | None, claim_ttl: timedelta) -> timedelta:
    if busy_until is None:
        return claim_ttl
    return max(timedelta(seconds=1), busy_until - datetime.now(UTC))


class Heartbeat:
    """Renews a claim every third of its lifetime until the block ends."""

    def __init__(self, jobs: JobRepository, job_id: int, owner: str, ttl: timedelta) -> None:
        self._jobs, self._job_id, self._owner, self._ttl = jobs, job_id, owner, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"claim-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._ttl.total_seconds() / 3):
            try:
                if not self._jobs.renew(self._job_id, self._owner, self._ttl):
                    log.warning("job %s: the claim is no longer %s's", self._job_id, self._owner)
                    return
            except sa.exc.SQLAlchemyError as error:  # the next beat may get through; the claim lasts ttl
                log.warning("job %s: could not renew the claim: %s", self._job_id, error)
