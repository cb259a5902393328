"""Events and exposures are written in batches: an event already stored is skipped with no outbox rows, and an
exposure that closed and comes back is reopened in place; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from regwarden.model.inventory import Exposure
from regwarden.model.sbom import Package, PackageType, Sbom
from regwarden.model.workload import ClusterSnapshot, Environment, EnvironmentDecision, Workload
from regwarden.store import Store, open_store
from regwarden.store.catalog import CatalogEntry
from regwarden.store.exposures import ExposureScope
from regwarden.store.inventory_schema import deliveries, events, exposures
from regwarden.store.moments import aware
from tests.support.sample_events import DIGEST, T0, affected, exposure, resolved, store_events


def test_an_event_already_stored_is_skipped_and_gets_no_outbox_rows(db_url: str) -> None:
    with open_store(db_url) as store:
        assert store_events(store, [affected(vuln_id="CVE-1"), resolved(vuln_id="CVE-2")], ["ops"]) == 2
        again = [affected(vuln_id="CVE-1"), affected(vuln_id="CVE-3"), resolved(vuln_id="CVE-2")]
        assert store_events(store, again, ["ops", "chat"]) == 1
        assert store_events(store, [affected(vuln_id="CVE-1")], ["ops"], T0 + timedelta(hours=1)) == 1
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(events.c.id, events.c.kind, events.c.payload).order_by(events.c.id)).all()
            outbox = conn.execute(sa.select(deliveries.c.event_id, deliveries.c.endpoint)).all()
    position = {row.id: n for n, row in enumerate(rows)}
    assert [(row.kind, json.loads(row.payload)["vulnerability"]["id"]) for row in rows] == [
        ("workload.affected", "CVE-1"),
        ("workload.resolved", "CVE-2"),
        ("workload.affected", "CVE-3"),
        ("workload.affected", "CVE-1"),
    ]
    assert sorted((position[event_id], endpoint) for event_id, endpoint in outbox) == [
        (0, "ops"),
        (1, "ops"),
        (2, "chat"),
        (2, "ops"),
        (3, "ops"),
    ]


def running_exposure(store: Store) -> Exposure:
    """An exposure whose workload and package rows exist (PostgreSQL checks the foreign keys)."""
    workload = Workload("aks-prod", "shop", "Deployment", "web", "web", "shop/web:1.0", DIGEST)
    snapshot = ClusterSnapshot("aks-prod", (workload,))
    result = store.workloads.replace_cluster(snapshot, [EnvironmentDecision(Environment.PRODUCTION, "test")], "test")
    package = Package("urllib3", "1.24.1", PackageType.PYPI, "pkg:pypi/urllib3@1.24.1", "python-installed")
    recorded = store.catalog.record_image(CatalogEntry(DIGEST, "test", Sbom("test", (package,))))
    found = exposure()
    return Exposure(result.running[0], found.workload, found.vuln_id, next(iter(recorded.package_ids)), found.component)


def test_an_exposure_that_comes_back_is_reopened_in_place(db_url: str) -> None:
    with open_store(db_url) as store:
        found = running_exposure(store)
        scope = ExposureScope(workload_ids=frozenset({found.workload_id}))
        moments = [T0 + timedelta(hours=hours) for hours in range(3)]
        changes = [
            store.exposures.refresh(scope, current, now=moment)
            for current, moment in zip(([found], [], [found]), moments, strict=True)
        ]
        assert [(len(c.opened), len(c.closed), c.events) for c in changes] == [(1, 0, 1), (0, 1, 1), (1, 0, 1)]
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(exposures.c.opened_at, exposures.c.closed_at)).all()
    assert [(aware(row.opened_at), row.closed_at) for row in rows] == [(moments[2], None)]
