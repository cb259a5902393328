"""Running one recorded job (jobs/execute.py) and the in-process runner: how each kind of ending is recorded, a
message delivered twice, a busy job, and the heartbeat that keeps a long job's claim."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from regwarden.jobs.context import JobContext
from regwarden.jobs.definitions import JobDefinition, JobFunction
from regwarden.jobs.execute import Verdict, execute
from regwarden.jobs.inprocess import InProcessDispatcher
from regwarden.jobs.requests import watch_round_request
from regwarden.model.errors import BadInputError, UnreachableError
from regwarden.model.job import JobRequest, JobState
from regwarden.service.settings import Settings, WatchedCluster, WatchedRegistry
from regwarden.store import Store, open_store

REPO = Path(__file__).resolve().parents[2]
PROD = REPO / "samples" / "cluster" / "aks-prod.json"
TTL = timedelta(seconds=30)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


def context(store: Store, settings: Settings | None = None) -> JobContext:
    return InProcessDispatcher(store, settings or Settings(), {}).context


def run(store: Store, function: JobFunction, *, retry_in: timedelta | None = None, owner: str = "here:1") -> Verdict:
    job_id = store.jobs.submit(JobRequest("test", {"n": 1}, "test:1")).job.id
    definition = JobDefinition("test", function)
    return execute(definition, job_id, context(store), owner=owner, retry_in=retry_in, claim_ttl=TTL).verdict


def test_a_result_finishes_the_job_and_a_partial_failure_fails_it(store: Store) -> None:
    assert run(store, lambda _context, args: f"did {args['n']}") is Verdict.SUCCEEDED
    job = store.jobs.find("test:1")
    assert job is not None and (job.state, job.result, job.attempts, job.worker) == (
        JobState.SUCCEEDED,
        "did 1",
        1,
        "here:1",
    )
    assert job.finished_at is not None and not job.claim_expired


def test_failed_in_part_is_failed(store: Store) -> None:
    assert run(store, lambda _context, _args: "failed: 3 catalogued, 1 could not be read") is Verdict.FAILED
    job = store.jobs.find("test:1")
    assert job is not None and (job.state, job.result) == (JobState.FAILED, "failed: 3 catalogued, 1 could not be read")


def unreachable(_context: JobContext, _args: Mapping[str, object]) -> str:
    raise UnreachableError("https://myreg.azurecr.io/v2/: 503 Service Unavailable")


def test_an_unreachable_registry_is_retried_while_retries_are_left(store: Store) -> None:
    before = datetime.now(UTC)
    assert run(store, unreachable, retry_in=timedelta(seconds=40)) is Verdict.RETRY
    job = store.jobs.find("test:1")
    assert job is not None and job.state is JobState.RETRYING and job.next_attempt_at is not None
    assert timedelta(seconds=40) <= job.next_attempt_at - before < timedelta(seconds=50)
    assert job.error == "https://myreg.azurecr.io/v2/: 503 Service Unavailable"
    # No retry left: failed for good, with the same error.
    definition = JobDefinition("test", unreachable)
    outcome = execute(definition, job.id, context(store), owner="here:2", retry_in=None, claim_ttl=TTL)
    assert outcome.verdict is Verdict.FAILED and isinstance(outcome.error, UnreachableError)
    assert outcome.job is not None and (outcome.job.state, outcome.job.attempts) == (JobState.FAILED, 2)


def test_bad_input_is_never_retried(store: Store) -> None:
    def bad(_context: JobContext, _args: Mapping[str, object]) -> str:
        raise BadInputError("job argument 'registry': expected text, got 7")

    assert run(store, bad, retry_in=timedelta(seconds=5)) is Verdict.FAILED
    job = store.jobs.find("test:1")
    assert job is not None and job.error == "job argument 'registry': expected text, got 7"


def test_an_unexpected_exception_fails_the_job_and_reaches_the_worker_log(store: Store) -> None:
    def broken(_context: JobContext, _args: Mapping[str, object]) -> str:
        raise KeyError("layers")

    with pytest.raises(KeyError):
        run(store, broken, retry_in=timedelta(seconds=5))
    job = store.jobs.find("test:1")
    assert job is not None and (job.state, job.error) == (JobState.FAILED, "KeyError: 'layers'")


def test_a_message_delivered_twice_runs_the_job_once(store: Store) -> None:
    calls: list[str] = []

    def count(_context: JobContext, _args: Mapping[str, object]) -> str:
        calls.append("run")
        return "done"

    assert run(store, count) is Verdict.SUCCEEDED
    job = store.jobs.find("test:1")
    assert job is not None
    again = execute(JobDefinition("test", count), job.id, context(store), owner="there:2", retry_in=None, claim_ttl=TTL)
    assert again.verdict is Verdict.DONE_ALREADY and calls == ["run"]


def test_a_job_another_worker_holds_is_busy_until_its_claim_could_expire(store: Store) -> None:
    job_id = store.jobs.submit(JobRequest("test", {}, "test:1")).job.id
    assert store.jobs.claim(job_id, "there:2", TTL).outcome.value == "claimed"
    outcome = execute(
        JobDefinition("test", lambda _c, _a: "never"),
        job_id,
        context(store),
        owner="here:1",
        retry_in=None,
        claim_ttl=TTL,
    )
    assert outcome.verdict is Verdict.BUSY
    assert timedelta(seconds=25) < outcome.busy_for <= TTL


def test_the_heartbeat_keeps_a_long_jobs_claim(store: Store) -> None:
    short = timedelta(seconds=0.6)
    job_id = store.jobs.submit(JobRequest("test", {}, "test:1")).job.id
    seen: list[str] = []
    started = threading.Event()

    def long_job(_context: JobContext, _args: Mapping[str, object]) -> str:
        started.set()
        time.sleep(2.0)  # more than three claim lifetimes
        return "long"

    def intruder() -> None:
        started.wait(10)
        for _ in range(6):
            time.sleep(0.25)
            seen.append(store.jobs.claim(job_id, "there:2", short).outcome.value)

    thread = threading.Thread(target=intruder)
    thread.start()
    outcome = execute(
        JobDefinition("test", long_job), job_id, context(store), owner="here:1", retry_in=None, claim_ttl=short
    )
    thread.join()
    assert outcome.verdict is Verdict.SUCCEEDED
    assert seen == ["busy"] * 6


def test_a_round_in_process_runs_each_step_as_a_job_and_fails_when_one_does(store: Store) -> None:
    settings = Settings(
        registries=(WatchedRegistry("127.0.0.1:9", insecure=True),),  # nothing listens on port 9
        clusters=(WatchedCluster(from_file=PROD, cluster="aks-prod-weu", catalog=False),),
    )
    dispatcher = InProcessDispatcher(store, settings, {})
    submission = dispatcher.submit(watch_round_request(update_advisories=False, slot="2026-12-01T12:00:00Z"))
    assert submission.job.state is JobState.FAILED
    assert (submission.job.result or "").startswith("failed: registry 127.0.0.1:9 (")
    steps = {job.key: job.state for job in store.jobs.listing() if job.kind != "watch-round"}
    assert steps == {
        "sync-registry:127.0.0.1:9/*@2026-12-01T12:00:00Z": JobState.FAILED,
        "sync-cluster:aks-prod-weu@2026-12-01T12:00:00Z": JobState.SUCCEEDED,
        "deliver-events:outbox@2026-12-01T12:00:00Z": JobState.SUCCEEDED,
    }
    assert [isinstance(error, UnreachableError) for error in dispatcher.errors] == [True]
    # The same slot again: the round failed, so it runs again, and re-runs what failed and only that.
    done = {job.key: job.finished_at for job in store.jobs.listing({JobState.SUCCEEDED})}
    again = dispatcher.submit(watch_round_request(update_advisories=False, slot="2026-12-01T12:00:00Z"))
    assert again.new and again.job.id == submission.job.id and len(store.jobs.listing()) == 4
    assert {job.key: job.finished_at for job in store.jobs.listing({JobState.SUCCEEDED})} == done
    assert len(dispatcher.errors) == 2


def test_an_unknown_kind_is_refused_before_anything_is_recorded(store: Store) -> None:
    with pytest.raises(BadInputError, match="unknown job kind 'reindex'; known kinds: catalog, sync-registry"):
        InProcessDispatcher(store, Settings(), {}).submit(JobRequest("reindex", {}, "reindex:1"))
    assert store.jobs.listing() == []
