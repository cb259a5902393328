"""Jobs: units of inventory work (sync a registry, catalog a digest, deliver events, …) run in-process or on
workers, each recorded under a key so that the same work is never queued or done twice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    """Submitted; waiting for a worker (or for the in-process runner to reach it)."""
    RUNNING = "running"
    """A worker holds the job's claim and renews it while it works."""
    RETRYING = "retrying"
    """An attempt failed for a reason that may pass (a registry or the database unreachable); next attempt due."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Failed for good: a reason retrying cannot fix, or every retry used."""


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING, JobState.RETRYING})
"""A submission whose key has a job in one of these states is the same work, already on its way."""


@dataclass(frozen=True)
class JobRequest:
    """Work to submit: its kind, its arguments (JSON values), and the key that makes it idempotent."""

    kind: str
    args: Mapping[str, object]
    key: str


@dataclass(frozen=True)
class Job:
    id: int
    key: str
    kind: str
    state: JobState
    args: Mapping[str, object] = field(default_factory=dict)
    attempts: int = 0
    worker: str | None = None
    """Who holds (or last held) the claim: `host:pid` of a worker process."""
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    next_attempt_at: datetime | None = None
    result: str | None = None
    """What the job did, in one line, once it succeeded (or failed with a partial result)."""
    error: str | None = None
    """The last attempt's error."""
    claim_expired: bool = False
    """RUNNING, but its holder stopped renewing the claim (a worker that died): another worker takes it over."""


@dataclass(frozen=True)
class Submission:
    job: Job
    new: bool
    """False when a job with the same key was already queued, running or done: nothing was sent."""
