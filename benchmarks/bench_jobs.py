"""Jobs on workers: digests catalogued per minute with 1, 2 and 4 worker processes, and the CPU each digest costs.

Real parts only: PostgreSQL 15 (the test cluster: fsync off, as in bench_inventory's setup), Debian's Redis, the
Debian registry on 127.0.0.1, and `regwarden worker --concurrency 1` processes. Two image sets are pushed once: tiny
images (one 1 KB layer with two dpkg packages: what the job machinery itself costs) and small real images (the demo
sample's 1.5 MB of layers and 8 packages, each under a config of its own). For each set and each worker count, on a
fresh database holding the advisory snapshot and an emptied Redis: one `jobs submit sync-registry` is timed until
the last catalog job it fanned out has finished. The in-process baseline is `regwarden sync registry --workers 4`
(threads in one process).

CPU is the whole pipeline's, read from /proc: the worker processes (after they are ready), the PostgreSQL server
(the postmaster with its backends, living and exited), the registry and Redis, plus the submitting CLI.

    .venv/bin/python benchmarks/bench_jobs.py                       # prints the markdown table for BENCHMARKS.md
    .venv/bin/python benchmarks/bench_jobs.py --workers 1,2 --tiny 200 --demo 100
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.support: the registry, PostgreSQL and Redis helpers the tests use

from tests.support.postgres_cluster import postgres_cluster  # noqa: E402
from tests.support.redis_server import flush, redis_server  # noqa: E402
from tests.support.registry import start_registry, stop_registry  # noqa: E402

from inventory_registry import push_tiny_images  # noqa: E402
from jobs_images import push_sample_variants  # noqa: E402
from regwarden.model.job import ACTIVE_STATES  # noqa: E402
from regwarden.store import open_store  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
SETS = {"tiny": "tiny/.*", "demo": "demo/.*"}


@dataclass(frozen=True)
class Run:
    images: str
    mode: str
    processes: int
    digests: int
    seconds: float
    cpu: dict[str, float]
    fan_out: float | None = None
    """On workers: how long the sync job took to list the registry and hand every digest on."""

    @property
    def per_minute(self) -> float:
        return self.digests / self.seconds * 60

    @property
    def cpu_per_digest(self) -> float:
        return sum(self.cpu.values()) / self.digests


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _cpu(fields: list[str], children: bool) -> float:
    # utime, stime (and, for a parent that reaps its children, cutime and cstime): fields 14-17 of stat(5).
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if children else 0)) / TICKS


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def tree_cpu(root: int) -> float:
    """A parent and its living children (the parent's counters include the children it reaped)."""
    total = 0.0
    for pid in _pids():
        fields = _stat(pid)
        if fields is None:
            continue
        if pid == root:
            total += _cpu(fields, children=True)
        elif int(fields[1]) == root:
            total += _cpu(fields, children=False)
    return total


def group_cpu(pgid: int) -> float:
    fields_of = (_stat(pid) for pid in _pids())
    return sum(_cpu(fields, children=True) for fields in fields_of if fields is not None and int(fields[2]) == pgid)


def find_pid(*needles: str) -> int:
    for pid in _pids():
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if all(needle in command for needle in needles):
            return pid
    raise RuntimeError(f"no process with {needles}")


@dataclass
class Services:
    pg_url: str
    redis_url: str
    registry_host: str
    pids: dict[str, int]

    def cpu(self) -> dict[str, float]:
        return {name: tree_cpu(pid) for name, pid in self.pids.items()}


@contextmanager
def services(work: Path) -> Iterator[Services]:
    registry = start_registry(work / "registry")
    try:
        with postgres_cluster() as pg_url, redis_server() as redis_url:
            port = pg_url.rsplit(":", 1)[1].split("/")[0]
            pids = {
                "postgresql": find_pid("postgres", "-D", f"port={port}"),
                "registry": registry.process.pid,
                "redis": find_pid("redis-server", redis_url.rsplit(":", 1)[1]),
            }
            yield Services(pg_url, redis_url, registry.host, pids)
    finally:
        stop_registry(registry)


def fresh_database(services: Services, name: str) -> str:
    admin = sa.create_engine(
        services.pg_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = services.pg_url.rsplit("/", 1)[0] + f"/{name}"
    regwarden(["db", "import", str(REPO / "samples" / "advisories")], env(url, None))
    return url


def env(db_url: str, broker: str | None, config: Path | None = None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REGWARDEN_")}
    values = {**clean, "REGWARDEN_DB": db_url}
    if broker:
        values["REGWARDEN_BROKER"] = broker
    if config:
        values["REGWARDEN_CONFIG"] = str(config)
    return values


def regwarden(args: Sequence[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "regwarden", *args], env=environment, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"regwarden {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return done


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_workers(count: int, environment: dict[str, str], logs: Path) -> list[subprocess.Popen[bytes]]:
    started = []
    for number in range(count):
        log = logs / f"worker-{number}.log"
        with log.open("wb") as sink:
            command = [sys.executable, "-m", "regwarden", "worker", "--concurrency", "1"]
            process = subprocess.Popen(
                command, env=environment, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )
        started.append((process, log))
    for process, log in started:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"a worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
    return [process for process, _ in started]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for process in workers:
        os.killpg(process.pid, 15)
    for process in workers:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def wait_until_done(db_url: str, expected: int) -> tuple[float, float]:
    """When the last job finished (seconds since the epoch) and how long the sync's fan-out took, once `expected`
    jobs exist and none is active."""
    with open_store(db_url) as store:
        while True:
            jobs = store.jobs.listing(limit=100_000)
            if len(jobs) >= expected and not any(job.state in ACTIVE_STATES for job in jobs):
                failed = [job for job in jobs if job.state.value == "failed"]
                if failed:
                    raise RuntimeError(f"{len(failed)} jobs failed, e.g. {failed[0].error}")
                [sync] = [job for job in jobs if job.kind == "sync-registry"]
                assert sync.started_at and sync.finished_at
                last = max(job.finished_at.timestamp() for job in jobs if job.finished_at)
                return last, (sync.finished_at - sync.started_at).total_seconds()
            time.sleep(0.25)


def on_workers(services: Services, images: str, count: int, processes: int, work: Path) -> Run:
    db = fresh_database(services, f"bench_{images}_{processes}")
    flush(services.redis_url)
    config = work / "config.yaml"
    config.write_text("jobs: {claim_ttl: 60s, visibility_timeout: 1h}\n")
    environment = env(db, services.redis_url + "/0", config)
    workers = start_workers(processes, environment, work)
    try:
        before = {**services.cpu(), "workers": sum(group_cpu(w.pid) for w in workers), "cli": children_cpu()}
        started = time.time()
        regwarden(
            ["jobs", "submit", "sync-registry", services.registry_host, "--insecure", "--repo", SETS[images]],
            environment,
        )
        finished, fan_out = wait_until_done(db, count + 1)
        after = {**services.cpu(), "workers": sum(group_cpu(w.pid) for w in workers), "cli": children_cpu()}
    finally:
        stop_workers(workers)
    cpu = {name: after[name] - before[name] for name in before}
    return Run(images, "workers", processes, count, finished - started, cpu, fan_out)


def in_process(services: Services, images: str, count: int) -> Run:
    db = fresh_database(services, f"bench_{images}_inprocess")
    environment = env(db, None)
    before = {**services.cpu(), "cli": children_cpu()}
    started = time.time()
    done = regwarden(
        [
            "sync",
            "registry",
            services.registry_host,
            "--insecure",
            "--repo",
            SETS[images],
            "--workers",
            "4",
            "-o",
            "json",
        ],
        environment,
    )
    seconds = time.time() - started
    after = {**services.cpu(), "cli": children_cpu()}
    catalogued = len(json.loads(done.stdout)["catalogued"])
    assert catalogued == count, (catalogued, count)
    return Run(
        images, "in-process, 4 threads", 1, count, seconds, {name: after[name] - before[name] for name in before}
    )


HEADER = (
    "| images | runs on | processes | digests | seconds | of which listing and hand-off | digests/min | vs 1 worker "
    "| CPU s/digest | workers or CLI / PostgreSQL / registry | CPU busy |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
)


def table(runs: Sequence[Run]) -> str:
    lines = [HEADER]
    for run in runs:
        single = next((r for r in runs if r.images == run.images and r.mode == "workers" and r.processes == 1), None)
        ratio = f"{run.per_minute / single.per_minute:.2f}x" if single else "-"
        client = run.cpu.get("workers", 0.0) + run.cpu.get("cli", 0.0)
        shares = (client, run.cpu["postgresql"], run.cpu["registry"])
        parts = " / ".join(f"{share / run.digests:.3f}" for share in shares)
        fan_out = f"{run.fan_out:.1f}" if run.fan_out is not None else "-"
        busy = sum(run.cpu.values()) / run.seconds  # cores kept busy on average, all processes together
        lines.append(
            f"| {run.images} | {run.mode} | {run.processes} | {run.digests:,} | {run.seconds:.1f} | {fan_out} "
            f"| {run.per_minute:,.0f} | {ratio} | {run.cpu_per_digest:.3f} | {parts} | {busy:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="worker process counts to run (comma-separated)")
    parser.add_argument("--tiny", type=int, default=1000, help="tiny images to push and catalog per run")
    parser.add_argument("--demo", type=int, default=300, help="small real images to push and catalog per run")
    parser.add_argument("--work", type=Path, default=REPO / ".cache" / "bench-jobs")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    counts = [int(n) for n in args.workers.split(",")]
    runs: list[Run] = []
    with services(args.work) as running:
        pushed = {
            "tiny": len(push_tiny_images(running.registry_host, args.tiny, 20)),
            "demo": len(push_sample_variants(running.registry_host, REPO / "samples" / "demo.oci.tar", args.demo, 10)),
        }
        for images, count in pushed.items():
            if count == 0:
                continue
            runs.append(in_process(running, images, count))
            for processes in counts:
                runs.append(on_workers(running, images, count, processes, args.work))
                print(table(runs[-1:]).splitlines()[-1], file=sys.stderr)
    load = os.getloadavg()[0]
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average (1 min) at the end {load:.1f}.\n"
    )
    print(table(runs))


if __name__ == "__main__":
    main()
