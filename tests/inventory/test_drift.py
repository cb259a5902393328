"""`drift` on both databases, over the real sample builds and a cluster that runs a bit of everything: a digest
from an unsynced registry, one a synced registry deleted, tags that moved, a multi-arch index, a build that never
catalogued, a container with no digest; fixable findings with triage set apart; stale advisory data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regwarden.model.catalog import ManifestListing
from regwarden.model.drift import DriftReport
from regwarden.model.errors import NoDataError
from regwarden.model.finding import Severity
from regwarden.model.inventory import TriageDecision, TriageScope, TriageState
from regwarden.model.workload import Environment
from regwarden.service.drift import DriftOptions, drift
from regwarden.store import Store, open_store
from regwarden.store.state import MATCHED_THROUGH
from tests.inventory.scenario import (
    BROKEN_DIGEST,
    DEMO_1_1_DIGEST,
    DEMO_DIGEST,
    REGISTRY,
    REPOSITORY,
    T0,
    T1,
    T2,
    T3,
    catalog_builds,
    import_v1,
    record_cluster,
    workload,
)

INDEX_DIGEST = "sha256:" + "d" * 64
"""A multi-arch index whose linux/amd64 manifest is DEMO_1_1."""
OUTSIDE_DIGEST = "sha256:" + "c" * 64
DELETED_DIGEST = "sha256:" + "e" * 64
WEB = f"{REGISTRY}/{REPOSITORY}"
NOW = datetime.now(UTC)


def build_cluster(store: Store) -> None:
    catalog_builds(store)
    store.catalog.record_children(INDEX_DIGEST, [(DEMO_1_1_DIGEST, "linux/amd64")])
    old = store.locations.repository_id(REGISTRY, "shop/old", "acr")
    store.locations.record_listing(old, [ManifestListing("shop/old", DELETED_DIGEST, ("1",))], complete=True, now=T0)
    store.locations.record_listing(old, [], complete=True, now=T1)
    store.locations.mark_synced(REGISTRY, T3)
    running = [
        workload("shop", "web", DEMO_1_1_DIGEST, image=f"{WEB}:latest"),
        workload("shop", "api", DEMO_DIGEST, image=f"{WEB}:1.0"),
        workload("shop", "multi", INDEX_DIGEST, image=f"{WEB}:1.1"),
        workload("shop", "old", BROKEN_DIGEST, image=f"{WEB}:latest"),
        workload("shop", "legacy", DELETED_DIGEST, image=f"{REGISTRY}/shop/old:1"),
        workload("tools", "tool", OUTSIDE_DIGEST, image="docker.io/library/tool:1"),
        workload("shop", "pending", None, image=f"{WEB}:1.1", reason="container not started"),
    ]
    record_cluster(store, [(w, Environment.PRODUCTION) for w in running], T3)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        build_cluster(store)
        store.triage.add(
            TriageDecision("CVE-2020-8203", TriageScope.ALL, "", TriageState.ACCEPTED, "build-time only", "ana", T0)
        )
    return db_url


def run(db_url: str, now: datetime = NOW, **options: object) -> DriftReport:
    with open_store(db_url) as store:
        return drift(store, DriftOptions(**options), now)  # type: ignore[arg-type]


def test_the_four_lists_and_what_could_not_be_judged(inventory: str) -> None:
    report = run(inventory)
    assert {(u.workload.name, u.reason) for u in report.unknown} == {
        ("legacy", f"deleted from {REGISTRY}/shop/old at 2026-01-05 13:00"),
        ("tool", "its registry registry-1.docker.io is not synced"),
    }
    assert {(m.workload.name, m.tag, m.current_digest, m.moved_at) for m in report.moved} == {
        ("web", "latest", DEMO_DIGEST, T3),
        ("old", "latest", DEMO_DIGEST, T2),
        ("legacy", "1", None, T1),  # the tag was deleted with its image
    }
    assert {(f.image_digest, f.vuln_id, f.package) for f in report.fixable_open} == {
        (DEMO_DIGEST, "DEBIAN-CVE-2022-48174", "busybox-static"),
        (DEMO_DIGEST, "CVE-2019-11324", "urllib3"),
        (DEMO_DIGEST, "CVE-2019-10906", "Jinja2"),
        (DEMO_1_1_DIGEST, "DEBIAN-CVE-2022-48174", "busybox-static"),
    }
    assert report.fixable_open[0].severity == "critical"
    on_1_1 = next(f for f in report.fixable_open if f.image_digest == DEMO_1_1_DIGEST)
    assert {w.name for w in on_1_1.workloads} == {"web", "multi"}  # the index runs its catalogued manifest
    assert on_1_1.fixed == ("1:1.36.1-1",)
    [triaged] = report.fixable_triaged
    assert (triaged.vuln_id, triaged.package, triaged.triage and triaged.triage.state) == (
        "CVE-2020-8203",
        "lodash",
        TriageState.ACCEPTED,
    )
    assert {(s.running_digest, s.kind) for s in report.stale} == {
        (BROKEN_DIGEST, "failed"),
        (DELETED_DIGEST, "not catalogued"),
        (OUTSIDE_DIGEST, "not catalogued"),
    }
    assert [n.reason for n in report.not_evaluated] == ["the cluster reported no digest: container not started"]
    assert report.counts == {"unknown": 2, "moved": 3, "fixable": 4, "stale": 3}
    assert (report.warnings, report.drifted(("moved",)), report.severities) == ((), True, ("critical", "high"))


def test_severity_option_limits_the_fixable_list(inventory: str) -> None:
    report = run(inventory, severities=frozenset({Severity.CRITICAL}))
    assert {(f.image_digest, f.vuln_id) for f in report.fixable} == {
        (DEMO_DIGEST, "DEBIAN-CVE-2022-48174"),
        (DEMO_1_1_DIGEST, "DEBIAN-CVE-2022-48174"),
    }


def test_old_advisory_data_makes_running_images_stale_unless_rematched_since(inventory: str) -> None:
    later = NOW + timedelta(days=30, hours=1)
    report = run(inventory, now=later)
    assert {(s.running_digest, s.kind) for s in report.stale} == {
        (DEMO_DIGEST, "stale"),
        (DEMO_1_1_DIGEST, "stale"),
        (INDEX_DIGEST, "stale"),  # judged by the platform manifest catalogued from it
        (BROKEN_DIGEST, "failed"),
        (DELETED_DIGEST, "not catalogued"),
        (OUTSIDE_DIGEST, "not catalogued"),
    }
    assert report.warnings[0].startswith("the advisory database is 30 days old")
    with open_store(inventory) as store:
        store.state.set(MATCHED_THROUGH, (later - timedelta(days=1)).isoformat())
    rematched = run(inventory, now=later)
    # The re-match covers images catalogued before it: their findings rest on the newer data.
    assert {(s.running_digest, s.kind) for s in rematched.stale} == {
        (BROKEN_DIGEST, "failed"),
        (DELETED_DIGEST, "not catalogued"),
        (OUTSIDE_DIGEST, "not catalogued"),
    }
    assert run(inventory, now=later, max_db_age_days=60).stale == rematched.stale


def test_no_registry_synced_leaves_the_unknown_list_unjudged(db_url: str) -> None:
    import_v1(db_url)
    with open_store(db_url) as store:
        catalog_builds(store)
        record_cluster(store, [(workload("shop", "api", DEMO_DIGEST), Environment.PRODUCTION)], T3)
    report = run(db_url)
    assert report.unknown == ()
    assert [n.subject for n in report.not_evaluated] == ["running digests unknown to the registries"]


def test_no_cluster_synced_is_missing_data(db_url: str) -> None:
    import_v1(db_url)
    with pytest.raises(NoDataError, match="no cluster has been synced"):
        run(db_url)
