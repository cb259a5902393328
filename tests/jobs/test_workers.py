"""Jobs on real workers: two `regwarden worker` processes, Debian's Redis as the broker, PostgreSQL as the store,
the real registry with the sample images.

- A registry sync on the workers leaves the inventory the same sync leaves in-process (every inventory table
  compared, row by row), with one catalog job per distinct digest.
- A worker killed with SIGKILL in the middle of a catalog: the job is delivered again, taken over by the other
  worker once the dead one's claim expires, and done once; nothing is lost or written twice.
- A registry that answers 503: the job is retried with backoff until it answers, then succeeds.
- Celery beat drives the watch round: one round per schedule slot, even with two beats sending.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regwarden.model.job import Job, JobState
from regwarden.store import Store, open_store
from regwarden.store.exposures import ExposureScope
from tests.jobs.inventory_snapshot import inventory_snapshot
from tests.jobs.scenario import (
    ADVISORIES,
    DEMO_1_0_DIGEST,
    DEMO_1_1_DIGEST,
    PROD_CLUSTER,
    load_registry,
    local_cluster_file,
    prepare_inventory,
    push_running_builds,
    regwarden,
)
from tests.jobs.workers import (
    job_env,
    kill_worker,
    start_worker,
    stop_worker,
    wait_for_jobs,
    wait_for_running,
    write_config,
)
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, proxy_to, start_registry, stop_registry

pytestmark = pytest.mark.xdist_group("celery-workers")


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    running = start_registry(tmp_path / "registry")
    yield running
    stop_registry(running)


def sync_in_process(home: Path, config: Path, db_url: str, host: str) -> None:
    env = job_env(home, db_url, None, config)
    prepare_inventory(home, env)
    outcome = regwarden(["jobs", "submit", "sync-registry", host, "--insecure", "--repo", "apps/.*"], home, env)
    assert outcome.code == 4, outcome.stderr  # one image cannot be read: the sync failed in part
    assert "1 could not be read" in outcome.stdout


def test_a_sync_on_two_workers_leaves_the_inventory_of_the_same_sync_in_process(
    tmp_path: Path, own_registry: RunningRegistry, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    digests = load_registry(own_registry, tmp_path)
    config = write_config(tmp_path / "config.yaml")
    here, there = new_postgres_database("inprocess"), new_postgres_database("workers")
    sync_in_process(tmp_path, config, here, own_registry.host)

    env = job_env(tmp_path, there, redis_url, config)
    prepare_inventory(tmp_path, env)
    workers = [start_worker(name, env, tmp_path) for name in ("a", "b")]
    try:
        submitted = regwarden(
            ["jobs", "submit", "sync-registry", own_registry.host, "--insecure", "--repo", "apps/.*"], tmp_path, env
        )
        assert submitted.code == 0, submitted.stderr
        assert "queued" in submitted.stdout
        with open_store(there) as store:
            jobs = wait_for_jobs(store, expected=1 + len(set(digests.values())))
            version = store.advisories.newest_update()
    finally:
        for worker in workers:
            stop_worker(worker)

    with open_store(here) as store_here, open_store(there) as store_there:
        assert inventory_snapshot(store_there) == inventory_snapshot(store_here)
        assert store_there.catalog.statuses(digests.values()) == store_here.catalog.statuses(digests.values())
    assert version is not None
    catalogs = {job.key: job for job in jobs if job.kind == "catalog"}
    # Five distinct digests (apps/web:latest and apps/web-copy:1.1 are apps/web:1.1): five keyed catalogs.
    assert set(catalogs) == {f"catalog:{digest}@{version.isoformat()}" for digest in set(digests.values())}
    states = Counter(job.state for job in catalogs.values())
    assert states == {JobState.SUCCEEDED: 4, JobState.FAILED: 1}
    failed = next(job for job in catalogs.values() if job.state is JobState.FAILED)
    assert failed.args["digest"] == digests["apps/broken:1"] and "blob" in (failed.error or "").lower()
    assert all(job.attempts == 1 for job in jobs)  # nothing ran twice
    [sync] = [job for job in jobs if job.kind == "sync-registry"]
    assert sync.state is JobState.SUCCEEDED and "5 digests queued to catalog" in (sync.result or "")


def test_a_cluster_sync_on_workers_hands_its_running_digests_to_catalog_jobs(
    tmp_path: Path, own_registry: RunningRegistry, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    push_running_builds(own_registry)
    pods = local_cluster_file(own_registry, tmp_path)
    config = write_config(tmp_path / "config.yaml")
    here, there = new_postgres_database("inprocess"), new_postgres_database("workers")
    submit = ["jobs", "submit", "sync-cluster", "--from", str(pods), "--cluster", "aks-prod-weu", "--insecure"]
    for url, broker in ((here, None), (there, redis_url)):
        env = job_env(tmp_path, url, broker, config)
        assert regwarden(["db", "import", str(ADVISORIES)], tmp_path, env).code == 0
    in_process = regwarden([*submit, "-o", "json"], tmp_path, job_env(tmp_path, here, None, config))
    assert in_process.code == 0, in_process.stderr
    [done_here] = json.loads(in_process.stdout)["jobs"]
    assert "2 running digests catalogued, 7 could not be read" in done_here["result"]
    env = job_env(tmp_path, there, redis_url, config)
    workers = [start_worker(name, env, tmp_path) for name in ("a", "b")]
    try:
        assert regwarden(submit, tmp_path, env).code == 0
        with open_store(there) as store:
            jobs = wait_for_jobs(store, expected=1 + 9)
    finally:
        for worker in workers:
            stop_worker(worker)
    [sync] = [job for job in jobs if job.kind == "sync-cluster"]
    assert "9 running digests queued to catalog" in (sync.result or "")
    catalogs = {job.args["digest"]: job for job in jobs if job.kind == "catalog"}
    assert {digest for digest, job in catalogs.items() if job.state is JobState.SUCCEEDED} == {
        DEMO_1_0_DIGEST,
        DEMO_1_1_DIGEST,
    }
    assert all("not found" in (job.error or "").lower() for job in catalogs.values() if job.state is JobState.FAILED)
    assert catalogs[DEMO_1_0_DIGEST].args["place"] == [own_registry.host, "shop/web"]
    with open_store(here) as store_here, open_store(there) as store_there:
        assert inventory_snapshot(store_there) == inventory_snapshot(store_here)
        assert store_there.exposures.candidates(ExposureScope(digests=frozenset({DEMO_1_0_DIGEST})))


def slow_blobs(registry: RunningRegistry, delay: float) -> Callable[[Request], Reply]:
    def handle(request: Request) -> Reply:
        if request.method == "GET" and "/blobs/" in request.path:
            time.sleep(delay)
        return proxy_to(registry, request)

    return handle


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing_and_does_nothing_twice(
    tmp_path: Path, own_registry: RunningRegistry, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    broken = load_registry(own_registry, tmp_path)["apps/broken:1"]
    config = write_config(tmp_path / "config.yaml")
    here, there = new_postgres_database("inprocess"), new_postgres_database("workers")
    with LocalServer(slow_blobs(own_registry, 1.0)) as proxy:
        sync_in_process(tmp_path, config, here, proxy.host)
        env = job_env(tmp_path, there, redis_url, config)
        prepare_inventory(tmp_path, env)
        doomed, survivor = start_worker("doomed", env, tmp_path), start_worker("survivor", env, tmp_path)
        try:
            args = ["jobs", "submit", "sync-registry", proxy.host, "--insecure", "--repo", "apps/.*"]
            assert regwarden(args, tmp_path, env).code == 0
            with open_store(there) as store:
                # Not the unreadable image's catalog: it fails on any worker, so its retry could not succeed.
                interrupted = wait_for_running(
                    store, "catalog", doomed.owner_prefix, unless=lambda job: job.args.get("digest") == broken
                )
                kill_worker(doomed)
                jobs = wait_for_jobs(store, expected=1 + 5, timeout=180)
        finally:
            stop_worker(doomed)
            stop_worker(survivor)

    by_id = {job.id: job for job in jobs}
    taken_over = by_id[interrupted.id]
    assert taken_over.state is JobState.SUCCEEDED, (taken_over, survivor.output())
    assert taken_over.attempts == 2  # the killed attempt, then the survivor's
    assert (taken_over.worker or "").startswith(survivor.owner_prefix)
    assert [job.id for job in jobs if job.attempts != 1] == [interrupted.id]
    assert len({job.key for job in jobs}) == len(jobs) == 6
    with open_store(here) as store_here, open_store(there) as store_there:
        assert inventory_snapshot(store_there) == inventory_snapshot(store_here)


def test_a_registry_that_answers_503_is_retried_with_backoff_until_it_answers(
    tmp_path: Path, own_registry: RunningRegistry, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    digests = load_registry(own_registry, tmp_path)
    healed = threading.Event()

    def flaky(request: Request) -> Reply:
        if request.method == "GET" and "/blobs/" in request.path and not healed.is_set():
            return Reply(503, b"busy")
        return proxy_to(own_registry, request)

    config = write_config(tmp_path / "config.yaml")
    db = new_postgres_database("workers")
    env = job_env(tmp_path, db, redis_url, config)
    with LocalServer(flaky) as proxy:
        worker = start_worker("only", env, tmp_path)
        try:
            target = f"{proxy.host}/apps/web@{digests['apps/web:1.0']}"
            assert regwarden(["jobs", "submit", "catalog", target, "--insecure"], tmp_path, env).code == 0
            with open_store(db) as store:
                retrying = _wait_for_state(store, JobState.RETRYING)
                assert "503" in (retrying.error or ""), retrying
                assert retrying.next_attempt_at is not None
                healed.set()
                [job] = wait_for_jobs(store, expected=1, timeout=120)
                catalogued = store.catalog.statuses([digests["apps/web:1.0"]])
        finally:
            stop_worker(worker)
    assert job.state is JobState.SUCCEEDED and job.attempts >= 2, job
    assert catalogued == {digests["apps/web:1.0"]: "catalogued"}
    assert "Retry in" in worker.output()  # Celery's own retry, with the countdown the backoff chose


def test_beat_drives_one_watch_round_per_slot_even_with_two_beats(
    tmp_path: Path, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    watch = {"interval": "3s", "clusters": [{"from": str(PROD_CLUSTER), "cluster": "aks-prod-weu", "catalog": False}]}
    config = write_config(tmp_path / "config.yaml", watch=watch)
    db = new_postgres_database("beat")
    env = job_env(tmp_path, db, redis_url, config)
    worker = start_worker("only", env, tmp_path, concurrency=2)
    beats = [_start_beat(tmp_path, env, name) for name in ("one", "two")]
    try:
        time.sleep(10)
    finally:
        for beat, _ in beats:
            beat.terminate()
            beat.wait(timeout=20)
    with open_store(db) as store:
        rounds = [job for job in store.jobs.listing(limit=1000) if job.kind == "watch-round"]
        jobs = wait_for_jobs(store, expected=len(rounds) * 3)
    stop_worker(worker)
    sent = sum(log.read_text().count("Sending due task regwarden watch round") for _, log in beats) + len(beats)
    slots = {job.key.rsplit("@", 1)[1] for job in rounds}
    assert len(rounds) >= 2 and sent > len(rounds)  # both beats sent each slot's round; one round ran per slot
    assert len(slots) == len(rounds)
    per_slot = Counter((job.kind, job.key.rsplit("@", 1)[1]) for job in jobs)
    assert set(per_slot.values()) == {1}
    assert {kind for kind, _ in per_slot} == {"watch-round", "sync-cluster", "deliver-events"}
    assert all(job.state is JobState.SUCCEEDED for job in jobs), [(j.key, j.error) for j in jobs]
    with open_store(db) as store:
        assert [sync.cluster for sync in store.workloads.clusters()] == ["aks-prod-weu"]


def _start_beat(home: Path, env: dict[str, str], name: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = home / f"beat-{name}.log"
    command = [sys.executable, "-m", "regwarden", "beat", "--no-update", "--schedule-file", str(home / f"{name}.db")]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    return process, log


def _wait_for_state(store: Store, state: JobState, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = store.jobs.listing({state}, limit=10)
        if found:
            return found[0]
        time.sleep(0.1)
    pytest.fail(f"no job reached {state} within {timeout}s: {store.jobs.listing(limit=10)}")
