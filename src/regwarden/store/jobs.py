"""The jobs table (jobs_schema.py): submit under a key, claim, renew, finish, retry later, list.

Every state change is one conditional statement, so two workers handed the same message never both work on it:
claiming succeeds only for a job that is queued, waiting for a retry, or running under a claim its holder stopped
renewing; finishing and retrying succeed only for the claim's holder.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from regwarden.model.job import ACTIVE_STATES, Job, JobRequest, JobState, Submission
from regwarden.store.chunks import chunks
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

    def submit(
        self, request: JobRequest, now: datetime | None = None, resend_after: timedelta | None = None
    ) -> Submission:
        """Record `request` as queued, unless its key names a job queued, running or done already. A key whose
        job failed for good is queued afresh (someone asked again); so is one nobody has touched for `resend_after`
        (queued or waiting for a retry that long, or running under a claim that long expired): its message was
        lost with a broker's restart, and sending it again is safe (a second message finds it claimed or done)."""
        [submission] = self.submit_many([request], now, resend_after)
        return submission

    def submit_many(
        self, requests: Sequence[JobRequest], now: datetime | None = None, resend_after: timedelta | None = None
    ) -> list[Submission]:
        """`submit` for many requests (a sync's new digests), a few statements per hundreds of jobs: the order of
        `requests` is kept; a key given twice is one job."""
        moment = aware_now(now)
        submissions: dict[str, Submission] = {}
        unique = list({request.key: request for request in requests}.values())
        for chunk in chunks(unique):
            with self._engine.begin() as conn:
                submissions |= _submit_chunk(conn, chunk, moment, resend_after)
        return [submissions[request.key] for request in requests]

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

    def prune(self, finished_before: datetime) -> int:
        """Forget jobs that succeeded or failed before `finished_before`; how many. Active jobs are never touched."""
        done = (table.c.state.in_([JobState.SUCCEEDED.value, JobState.FAILED.value]),)
        with self._engine.begin() as conn:
            deleted = conn.execute(sa.delete(table).where(*done, table.c.finished_at < finished_before)).rowcount
        return int(deleted)

    def counts(self) -> dict[JobState, int]:
        query = sa.select(table.c.state, sa.func.count()).group_by(table.c.state)
        with self._engine.connect() as conn:
            return {JobState(state): int(count) for state, count in conn.execute(query)}

    def _update_held(self, job_id: int, owner: str, values: Mapping[str, object]) -> bool:
        held = (table.c.id == job_id, table.c.worker == owner, table.c.state == JobState.RUNNING.value)
        with self._engine.begin() as conn:
            return bool(conn.execute(sa.update(table).where(*held).values(**values)).rowcount)


def _submit_chunk(
    conn: Connection, chunk: list[JobRequest], moment: datetime, resend_after: timedelta | None
) -> dict[str, Submission]:
    rows = [_queued_row(request, moment) for request in chunk]
    # RETURNING, not rowcount: psycopg reports -1 for any INSERT … ON CONFLICT DO NOTHING.
    insert = dialect_insert(conn, table).values(rows).on_conflict_do_nothing(index_elements=["key"])
    new = {row.key for row in conn.execute(insert.returning(table.c.key))}
    found = {row.key: row for row in conn.execute(sa.select(table).where(table.c.key.in_([r.key for r in chunk])))}
    cutoff = moment - resend_after if resend_after is not None else None
    again = {
        request.key
        for request in chunk
        if request.key not in new and _ask_again(conn, request, found[request.key], moment, cutoff)
    }
    if again:
        found |= {row.key: row for row in conn.execute(sa.select(table).where(table.c.key.in_(sorted(again))))}
    return {r.key: Submission(_job(found[r.key], moment), r.key in new or r.key in again) for r in chunk}


def _queued_row(request: JobRequest, moment: datetime) -> dict[str, object]:
    return {
        "key": request.key,
        "kind": request.kind,
        "args": json.dumps(dict(request.args), sort_keys=True),
        "state": JobState.QUEUED.value,
        "attempts": 0,
        "queued_at": moment,
    }


def _ask_again(
    conn: Connection, request: JobRequest, existing: Row[tuple[object, ...]], moment: datetime, cutoff: datetime | None
) -> bool:
    """A failed job asked for again is queued afresh; a forgotten one (see `submit`) is sent again."""
    if existing.state == JobState.FAILED.value:
        return _requeue_failed(conn, request, json.dumps(dict(request.args), sort_keys=True), moment)
    queued_at = aware(existing.queued_at)
    if cutoff is None or existing.state == JobState.SUCCEEDED.value or queued_at is None or queued_at >= cutoff:
        return False  # most often: queued a moment ago by another sync
    return _touch_forgotten(conn, request.key, moment, cutoff)


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


def _touch_forgotten(conn: Connection, key: str, moment: datetime, cutoff: datetime) -> bool:
    forgotten = sa.and_(
        table.c.queued_at < cutoff,
        sa.or_(
            table.c.state == JobState.QUEUED.value,
            sa.and_(table.c.state == JobState.RETRYING.value, table.c.next_attempt_at < cutoff),
            sa.and_(table.c.state == JobState.RUNNING.value, table.c.claimed_until < cutoff),
        ),
    )
    touched = sa.update(table).where(table.c.key == key, forgotten).values(queued_at=moment)
    return bool(conn.execute(touched).rowcount)


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
