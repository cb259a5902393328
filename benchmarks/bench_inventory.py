"""Inventory and impact benchmark: a 10,000-image inventory (1,000,000 component rows, 2,000 workloads, 38,000
OSV records) on SQLite and on PostgreSQL, and the questions the inventory exists to answer quickly.

Targets (each the median of --runs runs, min and max kept):
1. a new advisory → the running workloads it affects, < 1 s: one new OSV record on a popular npm package merged
   into the store, the inventory re-matched (service.rematch), then service.impact.affected for its id; also
   measured as the two CLI use cases do it (service.database.import_advisories of the file, then `affected` on a
   freshly opened store);
2. a database update changing 1,000 advisories → every new finding, exposure and event, < 10 s
   (service.rematch.rematch_advisories with the 1,000 changed ids; the merge that precedes it is timed apart);
3. a re-sync of 1,000 already-catalogued digests from a real registry (docker-registry on 127.0.0.1), < 5 s;
4. `where` for a popular package over the whole inventory, with and without a version range, < 1 s.
And, for information: `affected` of the vulnerability with the most production exposures, `inventory list`,
the k8s re-sync of the 2,000 workloads (exposure refresh), and cataloguing one new image into the full inventory.

Each backend runs in its own process (so its peak RSS is its own): a fresh SQLite file, and a throwaway
PostgreSQL cluster started as the tests start theirs (tests/support/postgres_cluster.py). The inventory is built
through the store APIs (benchmarks/inventory_setup.py) from generated data (benchmarks/inventory_data.py).

    .venv/bin/python benchmarks/bench_inventory.py --runs 5              # both backends, writes BENCHMARKS.md
    .venv/bin/python benchmarks/bench_inventory.py --backend sqlite --keep /tmp/inv --no-write
    .venv/bin/python benchmarks/bench_inventory.py --backend sqlite --keep /tmp/inv --profile where
    .venv/bin/python benchmarks/bench_inventory.py --images 1000 --workloads 200 --registry-images 100 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.support: the registry and PostgreSQL helpers the tests use

import inventory_data as data  # noqa: E402
import inventory_setup as setup  # noqa: E402
from inventory_registry import push_tiny_images  # noqa: E402
from regwarden.model.inventory import AffectedReport  # noqa: E402
from regwarden.store import Store, open_store  # noqa: E402

SECTION_START, SECTION_END = "<!-- bench_inventory.py: start -->", "<!-- bench_inventory.py: end -->"
HEADING = "## Inventory and impact"
REGISTRY_REPOSITORIES = 50


@dataclass
class Measurement:
    name: str
    target: float | None
    runs: list[float]
    cpu: list[float]
    """This process's CPU time per run (the client's side: it moves less than wall time on a busy machine)."""
    detail: str


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    """This process's CPU time over the same span (all its threads)."""

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __format__(self, spec: str) -> str:
        return format(self.wall, spec)


Probe = Callable[[int], tuple[Timing, str]]
"""One run of a measurement: the time of what it measures (nothing it prepares), and what that found."""
T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[Timing, T]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the measurements (one backend, in the child process) ---------------------------------------------------------


class Bench:
    def __init__(self, store: Store, url: str, registry: str, workdir: Path, args: argparse.Namespace) -> None:
        self.store, self.url, self.registry, self.workdir = store, url, registry, workdir
        self.repos, self.workloads = data.repositories(args.images), args.workloads
        self.known = args.registry_images
        self.session = str(time.time_ns())

    def probes(self) -> dict[str, tuple[str, float | None, Probe]]:
        return {
            "new-advisory": ("new advisory → affected (merge + rematch + affected, one store)", 1.0, self.new_advisory),
            "new-advisory-cli": (
                "new advisory → affected (import_advisories of the file, then affected on a new store)",
                1.0,
                self.new_advisory_service,
            ),
            "update": ("database update of 1,000 advisories: rematch_advisories", 10.0, self.update),
            "update-held": (
                "the same, the 1,000 all naming packages the images hold (worst case)",
                10.0,
                lambda run: self.update(run, held_only=True),
            ),
            "resync": (f"registry re-sync of {self.known:,} known digests (sync_registry)", 5.0, self.resync),
            "where": ("where lodash (every version)", 1.0, lambda run: self.where("lodash")),
            "where-range": (f"where {self.lodash_range()}", 1.0, lambda run: self.where(self.lodash_range())),
            "where-everywhere": ("where libc6 (in every image)", None, lambda run: self.where("libc6")),
            "affected-wide": ("affected: the vulnerability with the most production exposures", None, self.wide),
            "inventory-list": ("inventory list (every image)", None, self.inventory_list),
            "k8s-resync": (
                f"k8s re-sync of the {self.workloads:,} workloads (3 clusters, exposure refresh)",
                None,
                self.k8s,
            ),
            "catalog-one": (
                "catalog one new image (catalog_sbom: store, match, scan record, exposures)",
                None,
                self.one,
            ),
        }

    def new_advisory(self, run: int) -> tuple[Timing, str]:
        from regwarden.service.impact import affected
        from regwarden.service.rematch import rematch_advisories

        record = data.new_advisory(run, tag=f"{self.session}/in-process")
        merge_t, merged = _timed(
            lambda: self.store.advisories.merge([data.encoded(record)], collection=None, source="bench:new")
        )
        rematch_t, rematch = _timed(lambda: rematch_advisories(self.store, merged.changed, endpoints=setup.ENDPOINTS))
        affected_t, report = _timed(lambda: affected(self.store, record["id"]))
        detail = (
            f"merge {merge_t:.2f} + rematch {rematch_t:.2f} + affected {affected_t:.2f} s; "
            f"{_affected_summary(report)}; {rematch.exposures_opened:,} exposures opened"
        )
        return merge_t + rematch_t + affected_t, detail

    def new_advisory_service(self, run: int) -> tuple[Timing, str]:
        from regwarden.service.database import import_advisories
        from regwarden.service.impact import affected

        record = data.new_advisory(run, tag=f"{self.session}/service")
        path = self.workdir / f"{record['id']}.json"
        path.write_bytes(data.encoded(record)[1])
        import_t, _ = _timed(lambda: import_advisories(path, db_url=self.url, endpoints=setup.ENDPOINTS))

        def ask() -> AffectedReport:
            with open_store(self.url) as store:
                return affected(store, record["id"])

        affected_t, report = _timed(ask)
        return (
            import_t + affected_t,
            f"import {import_t:.2f} + affected {affected_t:.2f} s; {_affected_summary(report)}",
        )

    def update(self, run: int, *, held_only: bool = False) -> tuple[Timing, str]:
        from regwarden.service.rematch import rematch_advisories

        records = data.update_batch(self._next("bench.update_runs"), held_only=held_only)
        batch = [data.encoded(record) for record in records]
        merge_t, merged = _timed(lambda: self.store.advisories.merge(batch, collection=None, source="bench:update"))
        seconds, r = _timed(lambda: rematch_advisories(self.store, merged.changed, endpoints=setup.ENDPOINTS))
        detail = (
            f"{len(merged.changed):,} changed ids (merge {merge_t:.1f} s): {r.packages:,} packages re-matched, "
            f"{r.new_findings:,} new / {r.resolved_findings:,} resolved findings on {r.images:,} images, "
            f"{r.exposures_opened:,} exposures opened / {r.exposures_closed:,} closed, {r.events:,} events"
        )
        return seconds, detail

    def _next(self, counter: str) -> int:
        """A counter kept in the store: a kept database's next run continues where the last one stopped."""
        value = int(self.store.state.get(counter) or "0") + 1
        self.store.state.set(counter, str(value))
        return value

    def resync(self, run: int) -> tuple[Timing, str]:
        from regwarden.service.images import ImageOptions
        from regwarden.service.sync_registry import SyncOptions, sync_registry

        options = SyncOptions(ImageOptions(insecure=True))
        seconds, r = _timed(lambda: sync_registry(self.store, self.registry, options))
        if r.catalogued or r.failed:
            raise SystemExit(f"a re-sync catalogued or failed images: {r}")
        return seconds, f"{r.manifests:,} manifests in {len(r.repositories)} repositories, {r.already_known:,} known"

    def lodash_range(self) -> str:
        versions = data.language_versions("npm", 0)
        return f"lodash@<{versions[len(versions) // 2]}"

    def where(self, query: str) -> tuple[Timing, str]:
        from regwarden.service.impact import where

        seconds, report = _timed(lambda: where(self.store, query))
        rows = report.rows
        running = {w for row in rows for w in row.running}
        return seconds, f"{len(rows):,} image × package rows, {len(running):,} running workloads"

    def wide(self, run: int) -> tuple[Timing, str]:
        import sqlalchemy as sa

        from regwarden.service.impact import affected
        from regwarden.store.inventory_schema import exposures

        query = (
            sa.select(exposures.c.vuln_id)
            .where(exposures.c.closed_at.is_(None))
            .group_by(exposures.c.vuln_id)
            .order_by(sa.func.count().desc(), exposures.c.vuln_id)
            .limit(1)
        )
        with self.store.engine.connect() as conn:
            vuln_id = conn.execute(query).scalar_one()
        seconds, report = _timed(lambda: affected(self.store, vuln_id))
        return seconds, f"{vuln_id}: {_affected_summary(report)}"

    def inventory_list(self, run: int) -> tuple[Timing, str]:
        from regwarden.service.inventory import list_inventory

        seconds, found = _timed(lambda: list_inventory(self.store))
        return seconds, f"{len(found):,} images"

    def k8s(self, run: int) -> tuple[Timing, str]:
        from regwarden.inventory.environment import EnvironmentRules
        from regwarden.service.sync_k8s import sync_cluster

        snapshots = data.clusters(self.repos, self.workloads)
        rules = EnvironmentRules()
        seconds, reports = _timed(
            lambda: [sync_cluster(self.store, s, "bench", rules, endpoints=setup.ENDPOINTS) for s in snapshots]
        )
        opened = sum(r.exposures_opened for r in reports)
        return seconds, f"{sum(len(s.workloads) for s in snapshots):,} workloads, {opened} exposures opened"

    def one(self, run: int) -> tuple[Timing, str]:
        from regwarden.service.catalog import ImagePlace, catalog_sbom

        repository = self.repos[1]
        build = data.Build(repository, repository.builds + self._next("bench.new_builds"))
        place = ImagePlace(repository.registry, repository.name, build.tag)
        sbom, metadata = data.sbom(build), data.metadata(build)
        seconds, outcome = _timed(
            lambda: catalog_sbom(self.store, sbom, build.digest, "bench", metadata, place=place, origin="sync")
        )
        return seconds, f"{outcome.packages} packages, {outcome.new_findings} new findings"


def _affected_summary(report: AffectedReport) -> str:
    rows, running = report.rows, report.running
    production = {w for w, _ in running if w.environment == "production"}
    images = {row.component.digest for row in rows}
    return (
        f"{len(images):,} images, {len({w for w, _ in running}):,} running workloads ({len(production):,} production)"
    )


def run_probes(bench: Bench, names: Sequence[str], runs: int, profile: str | None) -> list[Measurement]:
    measured = []
    for key, (name, target, probe) in bench.probes().items():
        if names and key not in names:
            continue
        if profile == key:
            _profile(probe)
        results = []
        for run in range(1, runs + 1):
            timing, detail = probe(run)
            results.append((timing, detail))
            print(f"  {key} run {run}: {timing.wall:.3f} s ({timing.cpu:.3f} s CPU), {detail}", flush=True)
        median_run = sorted(results, key=lambda result: result[0].wall)[len(results) // 2]
        walls, cpus = [t.wall for t, _ in results], [t.cpu for t, _ in results]
        measured.append(Measurement(name, target, walls, cpus, median_run[1]))
    return measured


def _profile(probe: Probe) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(probe, 0)
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(30)


# -- one backend (child process) ----------------------------------------------------------------------------------


@contextmanager
def database(backend: str, keep: Path | None, pg_url: str | None) -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="regwarden-bench-inventory-") as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite" or pg_url:
            yield pg_url or f"sqlite:///{workdir / 'inventory.db'}", workdir
            return
        from tests.support.postgres_cluster import postgres_cluster

        with postgres_cluster() as url:
            yield url, workdir


def child(args: argparse.Namespace) -> None:
    with database(args.child, args.keep, args.pg_url) as (url, workdir):
        result: dict[str, Any] = {"backend": args.child, "load_start": os.getloadavg()}
        store = open_store(url)
        if store.state.get(setup.DONE_KEY) is None:
            setup.relax_durability(store)
            report = setup.build_inventory(store, data.repositories(args.images), args.workloads)
            report.timed(
                "first sync of the registry (catalogues each image)", lambda: _first_sync(store, args.registry)
            )
            result["setup"] = [asdict(phase) for phase in report.phases]
            store.close()
            if not args.pg_url:
                _restore_durability(url)
            store = open_store(url)
        if not _synced(store, args.registry):  # a kept database meets a new registry process
            print(f"  first sync of {args.registry}: {_first_sync(store, args.registry)}", flush=True)
        result["rss_after_setup_mib"] = _rss_mib()
        bench = Bench(store, url, args.registry, workdir, args)
        result["measurements"] = [asdict(m) for m in run_probes(bench, args.only, args.runs, args.profile)]
        result["rss_peak_mib"] = _rss_mib()
        result["database_mib"] = _database_size(store, url)
        result["load_end"] = os.getloadavg()
        store.close()
    Path(args.result).write_text(json.dumps(result, indent=1), encoding="utf-8")


def _synced(store: Store, registry: str) -> bool:
    import sqlalchemy as sa

    from regwarden.store.inventory_schema import registries

    query = sa.select(registries.c.last_synced_at).where(registries.c.host == registry)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar() is not None


def _first_sync(store: Store, registry: str) -> str:
    from regwarden.service.images import ImageOptions
    from regwarden.service.sync_registry import SyncOptions, sync_registry

    report = sync_registry(store, registry, SyncOptions(ImageOptions(insecure=True)))
    return f"{len(report.catalogued):,} catalogued, {len(report.failed)} failed"


def _restore_durability(url: str) -> None:
    """PostgreSQL: the test cluster runs with `-c fsync=off` (a command-line setting, which ALTER SYSTEM cannot
    override); restart it with the same settings and fsync on, so measurements pay for durable commits."""
    if not url.startswith("postgresql"):
        return
    import sqlalchemy as sa
    from tests.support.postgres_cluster import PG_BIN, PG_USER

    settings = ("data_directory", "port", "unix_socket_directories")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        data_dir, port, sockets = (conn.execute(sa.text(f"SHOW {name}")).scalar_one() for name in settings)
    engine.dispose()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} -c fsync=on"
    restart = [str(PG_BIN / "pg_ctl"), "-D", data_dir, "-o", options, "-l", f"{sockets}/log", "-w", "restart"]
    command = ["runuser", "-u", PG_USER, "--", *restart] if os.geteuid() == 0 else restart
    subprocess.run(command, check=True, capture_output=True)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        if conn.execute(sa.text("SHOW fsync")).scalar_one() != "on":
            raise SystemExit("could not turn fsync on")
    engine.dispose()


def _database_size(store: Store, url: str) -> float:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        files = (path, path.with_name(path.name + "-wal"))
        return sum(f.stat().st_size for f in files if f.exists()) / 2**20
    with store.engine.connect() as conn:
        return float(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()) / 2**20


# -- the parent: a registry, one child per backend, the markdown ------------------------------------------------


def parent(args: argparse.Namespace, argv: Sequence[str]) -> None:
    from tests.support.registry import start_registry, stop_registry

    results = []
    with tempfile.TemporaryDirectory(prefix="regwarden-bench-registry-") as tmp:
        registry = start_registry(Path(tmp) / "registry")
        try:
            push_t, pushed = _timed(
                lambda: push_tiny_images(registry.host, args.registry_images, REGISTRY_REPOSITORIES)
            )
            print(f"pushed {len(pushed):,} images in {push_t:.1f} s", flush=True)
            for backend in args.backend:
                results.append(_run_child(backend, registry.host, args, Path(tmp)))
        finally:
            stop_registry(registry)
    markdown = render(results, args, argv, push_t.wall)
    print(markdown)
    if not args.no_write:
        replace_section(REPO / "BENCHMARKS.md", markdown)


def _run_child(backend: str, host: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    result = tmp / f"{backend}.json"
    command = [sys.executable, __file__, "--child", backend, "--registry", host, "--result", str(result)]
    command += ["--runs", str(args.runs), "--images", str(args.images), "--workloads", str(args.workloads)]
    command += ["--registry-images", str(args.registry_images)]
    command += ["--keep", str(args.keep / backend)] if args.keep else []
    command += [word for only in args.only for word in ("--only", only)]
    command += ["--profile", args.profile] if args.profile else []
    command += ["--pg-url", args.pg_url] if args.pg_url else []
    print(f"== {backend}", flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    loaded: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    loaded["wall"] = time.perf_counter() - started
    return loaded


def render(results: list[dict[str, Any]], args: argparse.Namespace, argv: Sequence[str], push_t: float) -> str:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"Command: `.venv/bin/python benchmarks/bench_inventory.py {' '.join(argv)}`",
        "",
        f"Machine: {os.cpu_count()} CPUs ({_cpu()}), Python {platform.python_version()}, {today}. "
        f"{args.registry_images:,} tiny images pushed to the registry in {push_t:.1f} s.",
    ]
    for result in results:
        lines += _render_backend(result)
    return "\n".join(lines)


def _render_backend(result: dict[str, Any]) -> list[str]:
    load_start, load_end = result["load_start"], result["load_end"]
    lines = [
        "",
        f"#### {result['backend']}",
        "",
        f"Load average (1 min) at the start {load_start[0]:.1f}, at the end {load_end[0]:.1f}; "
        f"database {result['database_mib']:.0f} MiB; peak RSS {result['rss_after_setup_mib']:.0f} MiB after the "
        f"setup, {result['rss_peak_mib']:.0f} MiB at the end; the child process ran {result['wall'] / 60:.0f} min.",
        "",
    ]
    if result.get("setup"):
        lines += ["| setup step | seconds | peak RSS after (MiB) | result |", "|---|---:|---:|---|"]
        lines += [
            f"| {p['name']} | {p['seconds']:.1f} | {p['peak_rss_mib']:.0f} | {p['detail']} |" for p in result["setup"]
        ]
        lines.append("")
    lines += [
        "| measurement | target | median (s) | min | max | CPU median | runs | found (median run) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in result["measurements"]:
        runs = m["runs"]
        target = f"< {m['target']:g} s" if m["target"] else "—"
        lines.append(
            f"| {m['name']} | {target} | {statistics.median(runs):.3f} | {min(runs):.3f} | {max(runs):.3f} | "
            f"{statistics.median(m['cpu']):.3f} | {len(runs)} | {m['detail']} |"
        )
    return lines


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def replace_section(path: Path, markdown: str) -> None:
    """Put `markdown` between this script's markers under its heading, leaving the rest of the file alone."""
    text = path.read_text(encoding="utf-8")
    block = f"{SECTION_START}\n{markdown.strip()}\n{SECTION_END}"
    if SECTION_START in text and SECTION_END in text:
        head, _, rest = text.partition(SECTION_START)
        text = head + block + rest.partition(SECTION_END)[2]
    else:
        text = f"{text.rstrip()}\n\n{HEADING}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgresql"), help="default: both")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--workloads", type=int, default=2_000)
    parser.add_argument("--registry-images", type=int, default=1_000)
    parser.add_argument("--only", action="append", default=[], help="only these measurements (repeatable)")
    parser.add_argument("--profile", help="cProfile one extra run of this measurement (e.g. update, where)")
    parser.add_argument("--keep", type=Path, help="SQLite: keep (and reuse) the database under DIR/sqlite")
    parser.add_argument("--pg-url", help="PostgreSQL: use this database (kept; built once) instead of a new cluster")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--registry", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return
    args.backend = args.backend or ["sqlite", "postgresql"]
    parent(args, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
