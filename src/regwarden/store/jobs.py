"""The jobs table (jobs_schema.py): submit under a key, claim, renew, finish, retry later, list.

Every state change is one conditional statement, so two workers handed the same message never both work on it:
claiming succeeds only for a job that is queued, waiting for a retry, or running under a claim its holder stopped
renewing; finishing and retrying succeed only for the claim's holder.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from regwarden.model.job import ACTIVE_STATES, Job, JobRequest, JobState, Submission
from regwarden.store.jobs_schema import jobs as table
from regwarden.store.moments import aware, aware_now
from regwarden.store.upsert import dialect_insert


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    """Succeeded or failed for good already: a redelivered message has nothing left to do."""
    BUSY = "busy"
    """Another worker holds an unexpired claim on it."""
    MISSING = "missing"


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    job: Job | None = None
    busy_until: datetime | None = None


class JobRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def submit(self, request: JobRequest, now: datetime | None = None) -> Submission:
        """Record `request` as queued, unless its key names a job queued, running or done already. A key whose
        job failed for good is queued afresh (someone asked again)."""
        moment = aware_now(now)
        args = json.dumps(dict(request.args), sort_keys=True)
        row = {
            "key": request.key,
            "kind": request.kind,
            "args": args,
            "state": JobState.QUEUED.value,
            "attempts": 0,
            "queued_at": moment,
        }
        with self._engine.begin() as conn:
            # RETURNING, not rowcount: psycopg reports -1 for any INSERT … ON CONFLICT DO NOTHING.
            insert = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
            new_id = conn.execute(insert, [row]).scalar()
            if new_id is None:
                new = _requeue_failed(conn, request, args, moment)
                found = conn.execute(sa.select(table).where(table.c.key == request.key)).one()
                return Submission(_job(found, moment), new)
            found = conn.execute(sa.select(table).where(table.c.id == new_id)).one()
        return Submission(_job(found, moment), True)

    def claim(self, job_id: int, owner: str, ttl: timedelta, now: datetime | None = None) -> Claim:
        """Take the job for `owner` until now + ttl (attempts + 1), or say why not."""
        moment = aware_now(now)
        claimable = sa.or_(
            table.c.state.in_([JobState.QUEUED.value, JobState.RETRYING.value]),
            sa.and_(table.c.state == JobState.RUNNING.value, _claim_expired(moment)),
        )
        values = {
            "state": JobState.RUNNING.value,
            "worker": owner,
            "claimed_until": moment + ttl,
            "attempts": table.c.attempts + 1,
            "started_at": moment,
            "next_attempt_at": None,
        }
        with self._engine.begin() as conn:
            taken = conn.execute(sa.update(table).where(table.c.id == job_id, claimable).values(**values)).rowcount
            found = conn.execute(sa.select(table).where(table.c.id == job_id)).first()
        if found is None:
            return Claim(ClaimOutcome.MISSING)
        job = _job(found, moment)
        if taken:
            return Claim(ClaimOutcome.CLAIMED, job)
        if job.state in ACTIVE_STATES:
            return Claim(ClaimOutcome.BUSY, job, aware(found.claimed_until))
        return Claim(ClaimOutcome.DONE, job)

    def renew(self, job_id: int, owner: str, ttl: timedelta, now: datetime | None = None) -> bool:
        """Extend `owner`'s claim; False when the claim is no longer theirs."""
        moment = aware_now(now)
        return self._update_held(job_id, owner, {"claimed_until": moment + ttl})

    def finish(
        self,
        job_id: int,
        owner: str,
        state: JobState,
        *,
        result: str | None = None,
        error: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Succeeded or failed for good; False when `owner` no longer held the claim (nothing written)."""
        if state not in (JobState.SUCCEEDED, JobState.FAILED):
            raise ValueError(f"a job finishes as succeeded or failed, not {state}")
        values = {"state": state.value, "result": result, "error": error, "finished_at": aware_now(now)}
        return self._update_held(job_id, owner, values | {"claimed_until": None})

    def retry_later(self, job_id: int, owner: str, error: str, next_attempt_at: datetime) -> bool:
        """This attempt failed for a reason that may pass; the claim is released until the next attempt."""
        values = {"state": JobState.RETRYING.value, "error": error, "next_attempt_at": next_attempt_at}
        return self._update_held(job_id, owner, values | {"claimed_until": None})

    def mark_unsent(self, job_id: int, error: str, now: datetime | None = None) -> None:
        """The job's message could not be handed to the broker: failed, so a later submission queues it again."""
        values = {"state": JobState.FAILED.value, "error": error, "finished_at": aware_now(now)}
        with self._engine.begin() as conn:
            conn.execute(sa.update(table).where(table.c.id == job_id, table.c.state == "queued").values(**values))

    def get(self, job_id: int, now: datetime | None = None) -> Job | None:
        with self._engine.connect() as conn:
            found = conn.execute(sa.select(table).where(table.c.id == job_id)).first()
        return None if found is None else _job(found, aware_now(now))

    def find(self, key: str, now: datetime | None = None) -> Job | None:
        with self._engine.connect() as conn:
            found = conn.execute(sa.select(table).where(table.c.key == key)).first()
        return None if found is None else _job(found, aware_now(now))

    def listing(
        self, states: Collection[JobState] | None = None, limit: int = 100, now: datetime | None = None
    ) -> list[Job]:
        """Jobs in `states` (all when None), the newest first."""
        query = sa.select(table).order_by(table.c.queued_at.desc(), table.c.id.desc()).limit(limit)
        if states is not None:
            query = query.where(table.c.state.in_(sorted(state.value for state in states)))
        moment = aware_now(now)
        with self._engine.connect() as conn:
            return [_job(found, moment) for found in conn.execute(query)]

    def counts(self) -> dict[JobState, int]:
        query = sa.select(table.c.state, sa.func.count()).group_by(table.c.state)
        with self._engine.connect() as conn:
            return {JobState(state): int(count) for state, count in conn.execute(query)}

    def _update_held(self, job_id: int, owner: str, values: Mapping[str, object]) -> bool:
        held = (table.c.id == job_id, table.c.worker == owner, table.c.state == JobState.RUNNING.value)
        with self._engine.begin() as conn:
            return bool(conn.execute(sa.update(table).where(*held).values(**values)).rowcount)


def _requeue_failed(conn: Connection, request: JobRequest, args: str, moment: datetime) -> bool:
    requeue = (
        sa.update(table)
        .where(table.c.key == request.key, table.c.state == JobState.FAILED.value)
        .values(
            args=args,
            state=JobState.QUEUED.value,
            attempts=0,
            worker=None,
            claimed_until=None,
            queued_at=moment,
            started_at=None,
            finished_at=None,
            next_attempt_at=None,
            result=None,
        )
    )
    return bool(conn.execute(requeue).rowcount)


def _claim_expired(moment: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < moment)


def _job(found: Row[tuple[object, ...]], moment: datetime) -> Job:
    fields = found._mapping
    state = JobState(fields["state"])
    claimed_until = aware(fields["claimed_until"])
    return Job(
        id=int(fields["id"]),
        key=fields["key"],
        kind=fields["kind"],
        state=state,
        args=json.loads(fields["args"]),
        attempts=int(fields["attempts"]),
        worker=fields["worker"],
        queued_at=aware(fields["queued_at"]),
        started_at=aware(fields["started_at"]),
        finished_at=aware(fields["finished_at"]),
        next_attempt_at=aware(fields["next_attempt_at"]),
        result=fields["result"],
        error=fields["error"],
        claim_expired=state is JobState.RUNNING and (claimed_until is None or claimed_until < moment),
    )
