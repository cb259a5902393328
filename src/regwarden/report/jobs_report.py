"""`regwarden jobs`: jobs as a table for people and JSON for scripts (what is queued, running, retrying, failed)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from regwarden.model.job import Job, JobState


def render_jobs_table(
    jobs: Sequence[Job], counts: Mapping[JobState, int] | None, where: str, *, width: int = 160
) -> bytes:
    """`where` says where jobs run (in-process, or the broker's masked URL); `counts` (per state, of every job
    in the store) is left out for a list that is not a listing (the job just submitted)."""
    text = _table(jobs, width) if jobs else "no jobs to show\n"
    if counts is None:
        return f"{text}({where})\n".encode()
    tally = ", ".join(f"{counts.get(state, 0)} {state.value}" for state in JobState)
    return f"{text}jobs: {tally} ({where})\n".encode()


def render_jobs_json(jobs: Sequence[Job], counts: Mapping[JobState, int] | None, where: str) -> bytes:
    """`{"runs": "in-process" | "on workers through BROKER", "counts": {state: n} | null, "jobs": [{id, key, kind,
    state, args, attempts, worker, queued_at, started_at, finished_at, next_attempt_at, claim_expired, result,
    error}]}`."""
    document = {
        "runs": where,
        "counts": None if counts is None else {state.value: counts.get(state, 0) for state in JobState},
        "jobs": [job_document(job) for job in jobs],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def job_document(job: Job) -> dict[str, object]:
    return {
        "id": job.id,
        "key": job.key,
        "kind": job.kind,
        "state": job.state.value,
        "args": dict(job.args),
        "attempts": job.attempts,
        "worker": job.worker,
        "queued_at": _iso(job.queued_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "next_attempt_at": _iso(job.next_attempt_at),
        "claim_expired": job.claim_expired,
        "result": job.result,
        "error": job.error,
    }


def _table(jobs: Sequence[Job], width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    table = Table(header_style="bold")
    for column in ("Id", "Kind", "State", "Tries", "Worker", "Queued (UTC)", "Key", "Result or error"):
        table.add_column(column, overflow="fold")
    for job in jobs:
        table.add_row(
            str(job.id),
            job.kind,
            _state(job),
            str(job.attempts),
            job.worker or "-",
            _moment(job.queued_at),
            job.key,
            _outcome(job),
        )
    console.print(table)
    return buffer.getvalue()


def _state(job: Job) -> str:
    if job.claim_expired:
        return "running (claim expired: worker lost; taken over at its next delivery)"
    if job.state is JobState.RETRYING and job.next_attempt_at is not None:
        return f"retrying at {_moment(job.next_attempt_at)}"
    return job.state.value


def _outcome(job: Job) -> str:
    if job.state is JobState.SUCCEEDED:
        return job.result or "-"
    return job.error or job.result or "-"


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
