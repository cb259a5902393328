"""Server benchmark: every dashboard page and API list of `regwarden serve` on the inventory benchmark's data
(benchmarks/inventory_data.py: 10,000 images, ~1,000,000 component rows, 2,000 workloads), on SQLite and on
PostgreSQL; target: p95 < 200 ms for each.

The inventory is built through the store's APIs by benchmarks/inventory_setup.py (as bench_inventory.py builds it),
plus a recorded ACR audit of the bundled samples, a user and an API token. The server runs as its own process
(`regwarden serve --no-jobs`, one uvicorn worker, as a user starts it); the load comes from this process: N
requests per URL from C client threads over keep-alive connections, signed in with a session cookie (pages) or
the API token (API), after one warm-up request per URL (the first request computes the risk summary the lists
read; the server then keeps it). Latency is measured at the client, from sending to the last byte.

    .venv/bin/python benchmarks/bench_server.py                                    # both backends, BENCHMARKS.md
    .venv/bin/python benchmarks/bench_server.py --backend sqlite --keep /tmp/srv --no-write
    .venv/bin/python benchmarks/bench_server.py --images 1000 --workloads 200 --requests 50 --no-write
    .venv/bin/python benchmarks/bench_server.py --keep /tmp/srv --setup-only   # build the SQLite inventory only
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.support: the PostgreSQL and live-server helpers the tests use

import httpx  # noqa: E402

import inventory_data as data  # noqa: E402
import inventory_setup as setup  # noqa: E402
from regwarden.store import Store, open_store  # noqa: E402

SECTION_START, SECTION_END = "<!-- bench_server.py: start -->", "<!-- bench_server.py: end -->"
HEADING = "## Server and dashboard"
TARGET_MS = 200.0
USER, PASSWORD = "bench", "bench password 1"


@dataclass
class Timing:
    name: str
    url: str
    latencies_ms: list[float]
    status: set[int]
    size: int
    first_ms: float = 0.0
    """The warm-up request: the first list computes the risk summary, the first vulnerability page its answer."""

    def percentile(self, share: float) -> float:
        """Nearest rank: the smallest latency at or above `share` of the requests."""
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- the data ------------------------------------------------------------------------------------------------------


def prepare(store: Store, images: int, workloads: int) -> None:
    """The inventory (once per database), a recorded posture audit, a user and its token."""
    from regwarden.model.access import Role
    from regwarden.service.accounts import add_user

    if store.state.get(setup.DONE_KEY) is None:
        setup.relax_durability(store)
        setup.build_inventory(store, data.repositories(images), workloads)
    if store.users.by_name(USER) is None:
        add_user(store, USER, Role.ADMIN, PASSWORD, actor="bench")
        _record_audit(store)


def _record_audit(store: Store) -> None:
    from regwarden.collect.loader import load_registries
    from regwarden.posture.config import load_config
    from regwarden.posture.engine import evaluate
    from regwarden.service.posture_history import record_audit

    samples = REPO / "samples" / "acr"
    registries = load_registries([samples / "weak-registry.json", samples / "hardened-registry.json"])
    results = evaluate(registries, load_config(samples / "posture.yaml"))
    record_audit(store, results, "bench samples", "production")


def token(store: Store) -> str:
    from regwarden.model.access import Scope
    from regwarden.service.api_tokens import issue_token

    return issue_token(store, USER, "bench", frozenset({Scope.READ}), actor="bench").secret


def targets(store: Store) -> list[tuple[str, str]]:
    """(name, path) of every page and API list, and the heaviest detail pages the data has."""
    import sqlalchemy as sa

    from regwarden.store.inventory_schema import exposures, workloads

    with store.engine.connect() as conn:
        vuln = conn.execute(
            sa.select(exposures.c.vuln_id).where(exposures.c.closed_at.is_(None)).group_by(exposures.c.vuln_id)
            .order_by(sa.func.count().desc(), exposures.c.vuln_id).limit(1)
        ).scalar_one()  # fmt: skip
        digest, workload_id = conn.execute(
            sa.select(workloads.c.digest, workloads.c.id)
            .where(workloads.c.gone_at.is_(None), workloads.c.environment == "production")
            .order_by(workloads.c.id)
            .limit(1)
        ).one()
    from regwarden.service.impact import affected

    image = affected(store, vuln).rows[0].component.digest
    package = data.language_name("npm", 0)
    pages = [
        ("overview", "/"),
        ("images by risk", "/images"),
        ("images, critical, by name", "/images?severity=critical&sort=name&order=asc&page=3"),
        ("image page", f"/images/{image}"),
        ("vulnerabilities", "/vulnerabilities"),
        ("vulnerabilities by production", "/vulnerabilities?sort=production&fixable=true"),
        ("vulnerability page (most exposed)", f"/vulnerabilities/{vuln}"),
        ("workloads", "/workloads"),
        ("workloads, production", "/workloads?environment=production&page=2"),
        ("workload page", f"/workloads/{workload_id}"),
        ("registries", "/registries"),
        ("registry page", "/registries/shopacr"),
        ("events", "/events?page=10"),
        ("search (package)", f"/search?q={package}"),
    ]
    api = [
        ("GET /api/v1/images", "/api/v1/images"),
        ("GET /api/v1/images (filter, sort, page)", "/api/v1/images?severity=high&sort=findings&limit=100&offset=200"),
        ("GET /api/v1/images/{digest}", f"/api/v1/images/{image}"),
        ("GET /api/v1/images/{digest}/findings", f"/api/v1/images/{image}/findings"),
        ("GET /api/v1/images/{digest}/packages", f"/api/v1/images/{image}/packages"),
        ("GET /api/v1/vulnerabilities", "/api/v1/vulnerabilities?limit=100"),
        ("GET /api/v1/vulnerabilities/{id}", f"/api/v1/vulnerabilities/{vuln}"),
        ("GET /api/v1/workloads", "/api/v1/workloads?limit=100"),
        ("GET /api/v1/events", "/api/v1/events?limit=100&offset=500"),
        ("GET /api/v1/registries", "/api/v1/registries"),
        ("GET /api/v1/search", f"/api/v1/search?q={package}"),
        ("GET /api/v1/triage", "/api/v1/triage"),
    ]
    del digest
    return [(f"page: {name}", path) for name, path in pages] + [(name, path) for name, path in api]


# -- the server and the load -----------------------------------------------------------------------------------------


@contextmanager
def server(url: str, port: int) -> Iterator[str]:
    command = [str(Path(sys.executable).parent / "regwarden"), "serve", "--db", url, "--port", str(port), "--no-jobs"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def sign_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": USER, "password": PASSWORD, "next": "/", "csrf_token": csrf}
        response = client.post("/login", data=form)
        assert response.status_code in (200, 303), response.status_code
        return client.cookies


def load(
    base: str, name: str, path: str, headers: dict[str, str], cookies: httpx.Cookies, requests: int, concurrency: int
) -> Timing:
    timing = Timing(name, path, [], set(), 0)
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=60) as client:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timing.latencies_ms.append(elapsed)
                    timing.status.add(response.status_code)
                    timing.size = len(response.content)

    with httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=300) as warm:
        started = time.perf_counter()
        warm.get(path)
        timing.first_ms = (time.perf_counter() - started) * 1000
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timing


def run_backend(url: str, args: argparse.Namespace) -> list[Timing]:
    from tests.support.live_server import free_port

    with open_store(url) as store:
        prepare(store, args.images, args.workloads)
        secret = token(store)
        wanted = targets(store)
    with server(url, free_port()) as base:
        cookies = sign_in(base)
        results = []
        for name, path in wanted:
            headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
            timing = load(
                base, name, path, headers, cookies if not headers else httpx.Cookies(), args.requests, args.concurrency
            )
            print(f"  {name}: p50 {timing.percentile(0.5):.1f} ms, p95 {timing.percentile(0.95):.1f} ms, "
                  f"status {sorted(timing.status)}, {timing.size:,} bytes, first {timing.first_ms:.0f} ms",
                  flush=True)  # fmt: skip
            results.append(timing)
    return results


@contextmanager
def database(backend: str, keep: Path | None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="regwarden-bench-server-") as tmp:
        directory = keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            yield f"sqlite:///{directory / 'server.db'}"
            return
        from tests.support.postgres_cluster import postgres_cluster

        with postgres_cluster() as url:
            yield url


# -- the report ------------------------------------------------------------------------------------------------------


def render(results: dict[str, list[Timing]], args: argparse.Namespace) -> str:
    lines = [
        HEADING, "", SECTION_START, "",
        f"`benchmarks/bench_server.py` ({args.images:,} images, {args.workloads:,} workloads; {args.requests} requests "
        f"per URL from {args.concurrency} client threads after a warm-up; {platform.python_version()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}). Target: p95 < {TARGET_MS:.0f} ms for every page "
        "and API list; latency measured at the client.", "",
        "| URL | " + " | ".join(f"{b} p50 | {b} p95" for b in results) + " |",
        "|---|" + "---:|---:|" * len(results),
    ]  # fmt: skip
    names = [timing.name for timing in next(iter(results.values()))]
    for index, name in enumerate(names):
        cells = []
        for timings in results.values():
            timing = timings[index]
            p95 = timing.percentile(0.95)
            mark = "" if p95 < TARGET_MS and timing.status <= {200, 303} else " ✗"  # a lone search hit redirects
            cells.append(f"{timing.percentile(0.5):.0f} ms | {p95:.0f} ms{mark}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", SECTION_END, ""]
    return "\n".join(lines)


def replace_section(path: Path, markdown: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if SECTION_START in text and SECTION_END in text:
        head = text[: text.index(HEADING)] if HEADING in text else text[: text.index(SECTION_START)]
        tail = text[text.index(SECTION_END) + len(SECTION_END) :].lstrip("\n")
        path.write_text(head + markdown + ("\n" + tail if tail else ""), encoding="utf-8")
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + markdown, encoding="utf-8")


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"), help="default: both")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--workloads", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per URL (default 100)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--keep", type=Path, help="SQLite: keep (and reuse) the database in this directory")
    parser.add_argument("--pg-url", help="PostgreSQL: use (and fill once) this database instead of a new cluster")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--setup-only", action="store_true", help="build the kept database (--keep) and stop")
    args = parser.parse_args(argv)
    if args.setup_only:
        with database("sqlite", args.keep) as url, open_store(url) as store:
            prepare(store, args.images, args.workloads)
        return
    results: dict[str, list[Timing]] = {}
    for backend in args.backend or ["sqlite", "postgresql"]:
        print(f"{backend}:", flush=True)
        if backend == "postgresql" and args.pg_url:
            results[backend] = run_backend(args.pg_url, args)
            continue
        with database(backend, args.keep if backend == "sqlite" else None) as url:
            results[backend] = run_backend(url, args)
    markdown = render(results, args)
    print(markdown)
    if not args.no_write:
        replace_section(REPO / "BENCHMARKS.md", markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
