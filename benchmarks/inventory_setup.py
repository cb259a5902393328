"""Build the synthetic inventory of inventory_data.py into a store, through the store's own APIs (bench_inventory.py).

Per image, in push order, what a registry sync of it writes: the version tag and `latest` (store.locations),
the index → platform link for multi-arch builds, the image and its packages (store.catalog.record_image with the
model Sbom and metadata). Then every stored package is matched once (service.package_matching, as the catalog
does for each image's new packages), each image gets its scan record with its open findings, and the three
clusters are synced through service.sync_k8s (workloads, exposures, events with one webhook's outbox).

The only departure from a live sync is durability during the load: SQLite runs with `synchronous=OFF` and the
PostgreSQL cluster (tests/support/postgres_cluster.py) with `fsync=off`, which changes no row. Measurements run
afterwards with the product's own settings (SQLite: WAL, default synchronous; PostgreSQL: fsync on).
"""

from __future__ import annotations

import itertools
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import inventory_data as data
from regwarden.inventory.environment import EnvironmentRules
from regwarden.service.package_matching import match_stored_packages
from regwarden.service.sync_k8s import sync_cluster
from regwarden.store import Store
from regwarden.store.catalog import CatalogEntry
from regwarden.store.inventory_schema import images, packages

DONE_KEY = "bench.setup"
ENDPOINTS = ("ops-webhook",)
"""One configured webhook: every event gets an outbox row, as in a real deployment."""
MATCH_CHUNK = 2000
SETUP_END = data.EPOCH + timedelta(days=data.DAYS + 1)


@dataclass
class Phase:
    name: str
    seconds: float
    detail: str
    peak_rss_mib: float
    """The process's peak RSS when the phase ended (a peak: it only grows)."""


@dataclass
class SetupReport:
    phases: list[Phase] = field(default_factory=list)

    def timed(self, name: str, action: Callable[[], str]) -> None:
        started = time.perf_counter()
        detail = action()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.phases.append(Phase(name, time.perf_counter() - started, detail, peak))
        print(f"  setup: {name}: {self.phases[-1].seconds:.1f} s, {detail}", flush=True)


def relax_durability(store: Store) -> None:
    """SQLite: no fsync per commit while loading (the pooled connections are replaced to take the pragma)."""
    if store.engine.dialect.name == "sqlite":
        sa.event.listen(store.engine, "connect", _synchronous_off)
        store.engine.dispose()


def _synchronous_off(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def build_inventory(store: Store, repos: tuple[data.Repository, ...], workloads: int) -> SetupReport:
    report = SetupReport()
    report.timed("advisories (replace_collection per export)", lambda: _load_advisories(store))
    report.timed("images (locations, tags, record_image)", lambda: _catalog(store, data.builds(repos)))
    report.timed("matching every stored package", lambda: _match_all(store))
    report.timed("scan records", lambda: _scan_records(store, data.builds(repos)))
    report.timed("first k8s sync of the three clusters", lambda: _first_cluster_syncs(store, repos, workloads))
    store.state.set(DONE_KEY, datetime.now(UTC).isoformat())
    return report


def _load_advisories(store: Store) -> str:
    written = rejected = 0
    for ecosystem, group in itertools.groupby(data.advisory_records(), key=lambda pair: pair[0]):
        outcome = store.advisories.replace_collection(
            ecosystem, (data.encoded(record) for _, record in group), source="bench:osv"
        )
        written, rejected = written + outcome.written, rejected + len(outcome.rejected)
    return f"{written:,} records written, {rejected} rejected"


def _catalog(store: Store, builds: Iterable[data.Build]) -> str:
    repository_ids: dict[str, int] = {}
    count = components = 0
    for build in builds:
        repository = build.repository
        if repository.name not in repository_ids:
            kind = "acr" if repository.registry.endswith(".azurecr.io") else "oci"
            repository_ids[repository.name] = store.locations.repository_id(repository.registry, repository.name, kind)
        repository_id, pushed = repository_ids[repository.name], build.running_digest
        store.locations.record_tag(repository_id, build.tag, pushed, build.moment)
        store.locations.record_tag(repository_id, "latest", pushed, build.moment)
        if build.index_digest is not None:
            store.catalog.record_children(build.index_digest, [(build.digest, "linux/amd64")])
        sbom = data.sbom(build)
        source = f"{repository.registry}/{repository.name}@{pushed}"
        store.catalog.record_image(CatalogEntry(build.digest, source, sbom, data.metadata(build)), build.moment)
        count, components = count + 1, components + len(sbom.packages)
        if count % 1000 == 0:
            print(f"    {count:,} images", flush=True)
    return f"{count:,} images, {components:,} component rows, {len(repository_ids)} repositories"


def _match_all(store: Store) -> str:
    with store.engine.connect() as conn:
        package_ids = [int(row.id) for row in conn.execute(sa.select(packages.c.id).order_by(packages.c.id))]
    new = 0
    for chunk in chunks_of(package_ids, MATCH_CHUNK):
        new += len(match_stored_packages(store, chunk, SETUP_END).new)
    return f"{len(package_ids):,} distinct packages, {new:,} open findings"


def chunks_of(items: list[int], size: int) -> Iterable[list[int]]:
    return (items[start : start + size] for start in range(0, len(items), size))


def _scan_records(store: Store, builds: Iterable[data.Build]) -> str:
    newest = store.advisories.newest_update()
    total = 0
    for build in builds:
        found = store.impact.open_finding_count(build.digest)
        store.catalog.record_scan(build.digest, "sync", found, newest, SETUP_END)
        total += found
    with store.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(images)).scalar_one()
    return f"{total / max(1, count):.0f} open findings per image on average"


def _first_cluster_syncs(store: Store, repos: tuple[data.Repository, ...], workloads: int) -> str:
    opened = events = production = 0
    for snapshot in data.clusters(repos, workloads):
        report = sync_cluster(store, snapshot, "bench", EnvironmentRules(), endpoints=ENDPOINTS, now=SETUP_END)
        if report.catalogued:
            raise SystemExit(f"workloads run digests the inventory lacks: {report.catalogued[:3]}")
        opened, events, production = (
            opened + report.exposures_opened,
            events + report.events,
            production + report.production,
        )
    return f"{workloads:,} workloads ({production:,} production), {opened:,} exposures opened, {events:,} events"
