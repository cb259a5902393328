"""Real `regwarden worker` processes for the job tests, and waiting for the jobs table to settle.

Each worker runs in a session of its own, so a test can kill it whole (its main process and its pool processes,
as a machine that dies would) with one SIGKILL to the process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from regwarden.model.job import ACTIVE_STATES, Job, JobState
from regwarden.store import Store

STARTUP_TIMEOUT_S = 60.0

FAST_JOBS = {
    # Short enough that a dead worker's job moves on within seconds; long enough for a loaded CI machine.
    "claim_ttl": "4s",
    "visibility_timeout": "8s",
    "retry_backoff": "1s",
    "retry_backoff_max": "2s",
    "max_retries": 6,
}


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def owner_prefix(self) -> str:
        """How the jobs table names this worker's processes (`regwarden-PID@host:child-pid`)."""
        return f"regwarden-{self.process.pid}@"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def write_config(path: Path, jobs: Mapping[str, object] | None = None, **sections: object) -> Path:
    document = {"jobs": dict(jobs or FAST_JOBS), **sections}
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def job_env(home: Path, db_url: str, broker_url: str | None, config: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    env = {**clean, "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker"), "REGWARDEN_DB": db_url}
    env["REGWARDEN_CONFIG"] = str(config)
    if broker_url is not None:
        env["REGWARDEN_BROKER"] = broker_url
    return env


def start_worker(name: str, env: Mapping[str, str], directory: Path, concurrency: int = 1) -> Worker:
    log = directory / f"worker-{name}.log"
    command = [sys.executable, "-m", "regwarden", "worker", "--concurrency", str(concurrency)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, env=dict(env), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = Worker(name, process, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while " ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            pytest.fail(f"worker {name} did not start:\n{worker.output()}")
        time.sleep(0.1)
    return worker


def stop_worker(worker: Worker) -> None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL to the whole group if it lingers."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_worker(worker)
    _reap_group(worker)


def kill_worker(worker: Worker) -> None:
    """SIGKILL the worker's main process and its pool processes at once: no warm shutdown, no acknowledgement."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=30)
    _reap_group(worker)


def _reap_group(worker: Worker) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.process.pid, signal.SIGKILL)  # pool processes a warm shutdown left behind


def wait_for_jobs(store: Store, expected: int, timeout: float = 120.0) -> list[Job]:
    """Every job, once `expected` exist and none is queued, running or waiting for a retry."""
    deadline = time.monotonic() + timeout
    while True:
        found = store.jobs.listing(limit=10_000)
        if len(found) >= expected and not any(job.state in ACTIVE_STATES for job in found):
            return found
        if time.monotonic() > deadline:
            states = sorted((job.id, job.kind, job.state.value, job.worker, job.error) for job in found)
            pytest.fail(f"jobs did not settle within {timeout}s: {states}")
        time.sleep(0.25)


def wait_for_running(
    store: Store, kind: str, owner_prefix: str, timeout: float = 60.0, *, unless: Callable[[Job], bool] | None = None
) -> Job:
    """The first job of `kind` a worker whose owner starts with `owner_prefix` is working on (and `unless` does not
    rule out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job in store.jobs.listing({JobState.RUNNING}, limit=1000):
            mine = job.kind == kind and (job.worker or "").startswith(owner_prefix) and not job.claim_expired
            if mine and not (unless is not None and unless(job)):
                return job
        time.sleep(0.05)
    pytest.fail(f"no {kind} job ran on {owner_prefix} within {timeout}s")
