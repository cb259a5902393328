"""The jobs table on SQLite and PostgreSQL: one job per key, claims that only one holder gets, claims that expire,
finishing only by the holder, a failed key queued afresh, listing and counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regwarden.model.job import JobRequest, JobState
from regwarden.store import open_store
from regwarden.store.jobs import ClaimOutcome

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def request(key: str = "catalog:sha256:aa@none") -> JobRequest:
    return JobRequest("catalog", {"digest": "sha256:aa", "insecure": False}, key)


def test_the_same_key_is_one_job_however_often_it_is_submitted(db_url: str) -> None:
    with open_store(db_url) as store:
        first = store.jobs.submit(request(), T0)
        again = store.jobs.submit(request(), T0 + timedelta(seconds=1))
        other = store.jobs.submit(request("catalog:sha256:bb@none"), T0)
        assert (first.new, again.new, other.new) == (True, False, True)
        assert again.job.id == first.job.id != other.job.id
        assert first.job.state is JobState.QUEUED and first.job.args == {"digest": "sha256:aa", "insecure": False}
        assert store.jobs.counts() == {JobState.QUEUED: 2}


def test_one_holder_claims_a_job_and_a_dead_holders_claim_expires(db_url: str) -> None:
    with open_store(db_url) as store:
        job_id = store.jobs.submit(request(), T0).job.id
        first = store.jobs.claim(job_id, "host-a:1", TTL, T0)
        busy = store.jobs.claim(job_id, "host-b:2", TTL, T0 + timedelta(seconds=10))
        assert first.outcome is ClaimOutcome.CLAIMED and first.job is not None and first.job.attempts == 1
        assert busy.outcome is ClaimOutcome.BUSY and busy.busy_until == T0 + TTL
        # host-a renews once, then dies: the claim runs out 30 s after the last renewal.
        assert store.jobs.renew(job_id, "host-a:1", TTL, T0 + timedelta(seconds=20))
        assert store.jobs.claim(job_id, "host-b:2", TTL, T0 + timedelta(seconds=45)).outcome is ClaimOutcome.BUSY
        listed = store.jobs.listing({JobState.RUNNING}, now=T0 + timedelta(seconds=51))
        assert [(job.worker, job.claim_expired) for job in listed] == [("host-a:1", True)]
        taken = store.jobs.claim(job_id, "host-b:2", TTL, T0 + timedelta(seconds=51))
        assert taken.outcome is ClaimOutcome.CLAIMED and taken.job is not None
        assert (taken.job.worker, taken.job.attempts) == ("host-b:2", 2)
        # The dead holder's late result is refused: only the holder finishes a job.
        assert not store.jobs.finish(job_id, "host-a:1", JobState.SUCCEEDED, result="late")
        assert not store.jobs.renew(job_id, "host-a:1", TTL)
        assert store.jobs.finish(
            job_id, "host-b:2", JobState.SUCCEEDED, result="catalogued", now=T0 + timedelta(seconds=60)
        )
        done = store.jobs.claim(job_id, "host-c:3", TTL, T0 + timedelta(seconds=70))
        assert done.outcome is ClaimOutcome.DONE and done.job is not None and done.job.result == "catalogued"
        assert store.jobs.claim(9999, "host-c:3", TTL).outcome is ClaimOutcome.MISSING


def test_a_retry_releases_the_claim_and_a_failed_key_is_queued_afresh(db_url: str) -> None:
    with open_store(db_url) as store:
        job_id = store.jobs.submit(request(), T0).job.id
        store.jobs.claim(job_id, "host-a:1", TTL, T0)
        later = T0 + timedelta(seconds=8)
        assert store.jobs.retry_later(job_id, "host-a:1", "registry unreachable", later)
        waiting = store.jobs.get(job_id)
        assert waiting is not None
        assert (waiting.state, waiting.error, waiting.next_attempt_at) == (
            JobState.RETRYING,
            "registry unreachable",
            later,
        )
        retried = store.jobs.claim(job_id, "host-b:2", TTL, later)
        assert retried.outcome is ClaimOutcome.CLAIMED and retried.job is not None and retried.job.attempts == 2
        assert store.jobs.finish(job_id, "host-b:2", JobState.FAILED, error="blob unknown", now=later)
        assert store.jobs.submit(request(), later).new  # someone asks again: the failed key is queued afresh
        again = store.jobs.get(job_id)
        assert again is not None and (again.state, again.attempts, again.worker) == (JobState.QUEUED, 0, None)


def test_a_failed_key_is_queued_once_however_many_ask(db_url: str) -> None:
    with open_store(db_url) as store:
        job_id = store.jobs.submit(request(), T0).job.id
        store.jobs.claim(job_id, "host-a:1", TTL, T0)
        store.jobs.finish(job_id, "host-a:1", JobState.FAILED, error="blob unknown", now=T0)
        asked = [store.jobs.submit(request(), T0 + timedelta(seconds=n)).new for n in (1, 2)]
        assert asked == [True, False]
        job = store.jobs.get(job_id)
        assert job is not None and job.state is JobState.QUEUED and job.error == "blob unknown"


def test_an_unsent_job_fails_so_that_the_next_submission_sends_it(db_url: str) -> None:
    with open_store(db_url) as store:
        job_id = store.jobs.submit(request(), T0).job.id
        store.jobs.mark_unsent(job_id, "the broker did not take the job: connection refused", T0)
        job = store.jobs.get(job_id)
        assert job is not None and job.state is JobState.FAILED
        assert store.jobs.submit(request(), T0).new


def test_listing_filters_by_state_newest_first(db_url: str) -> None:
    with open_store(db_url) as store:
        ids = [store.jobs.submit(request(f"k{n}"), T0 + timedelta(seconds=n)).job.id for n in range(4)]
        store.jobs.claim(ids[1], "w:1", TTL, T0)
        store.jobs.claim(ids[2], "w:1", TTL, T0)
        store.jobs.finish(ids[2], "w:1", JobState.SUCCEEDED, result="ok")
        assert [job.id for job in store.jobs.listing()] == ids[::-1]
        assert [job.id for job in store.jobs.listing({JobState.QUEUED, JobState.RUNNING})] == [ids[3], ids[1], ids[0]]
        assert [job.id for job in store.jobs.listing(limit=2)] == [ids[3], ids[2]]
        assert store.jobs.counts() == {JobState.QUEUED: 2, JobState.RUNNING: 1, JobState.SUCCEEDED: 1}
        assert store.jobs.find("k2") == store.jobs.get(ids[2])


def test_a_job_nobody_touched_for_long_is_sent_again_once(db_url: str) -> None:
    hour = timedelta(hours=1)
    with open_store(db_url) as store:
        queued = store.jobs.submit(request("lost-queued"), T0).job.id
        running = store.jobs.submit(request("lost-running"), T0).job.id
        store.jobs.claim(running, "dead-host:1", TTL, T0)
        fresh = store.jobs.submit(request("fresh"), T0 + timedelta(minutes=50)).job.id
        later = T0 + timedelta(minutes=61)
        assert store.jobs.submit(request("lost-queued"), later, resend_after=hour).new
        assert not store.jobs.submit(request("lost-queued"), later, resend_after=hour).new  # sent again once
        assert store.jobs.submit(request("lost-running"), later, resend_after=hour).new
        assert not store.jobs.submit(request("fresh"), later, resend_after=hour).new
        assert not store.jobs.submit(request("lost-queued"), later + hour / 2, resend_after=hour).new
        resent = store.jobs.get(queued)
        assert resent is not None and (resent.state, resent.queued_at) == (JobState.QUEUED, later)
        taken = store.jobs.claim(running, "live-host:2", TTL, later)
        assert taken.outcome is ClaimOutcome.CLAIMED and taken.job is not None and taken.job.attempts == 2
        assert store.jobs.get(fresh) is not None


def test_pruning_forgets_old_finished_jobs_only(db_url: str) -> None:
    with open_store(db_url) as store:
        old_done, old_failed, old_queued, recent = (
            store.jobs.submit(request(key), T0).job.id for key in ("done", "failed", "queued", "recent")
        )
        for job_id in (old_done, old_failed, recent):
            store.jobs.claim(job_id, "w:1", TTL, T0)
        store.jobs.finish(old_done, "w:1", JobState.SUCCEEDED, result="ok", now=T0)
        store.jobs.finish(old_failed, "w:1", JobState.FAILED, error="gone", now=T0)
        store.jobs.finish(recent, "w:1", JobState.SUCCEEDED, result="ok", now=T0 + timedelta(days=6))
        assert store.jobs.prune(T0 + timedelta(days=1)) == 2
        assert {job.id for job in store.jobs.listing()} == {old_queued, recent}
