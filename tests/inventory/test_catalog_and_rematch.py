"""The inventory core on both databases: catalog a real image once, match it, re-match only what an advisory
update changed, and open and close the exposures of production workloads with their events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from regwarden.model.workload import ClusterSnapshot, Environment, EnvironmentDecision, Workload
from regwarden.service.catalog import ImagePlace, catalog_reference
from regwarden.service.database import import_advisories
from regwarden.service.images import ImageOptions
from regwarden.store import Store, open_store
from regwarden.store.inventory_schema import components, package_findings, packages

REPO = Path(__file__).resolve().parents[2]
DEMO = f"oci-archive:{REPO / 'samples' / 'demo.oci.tar'}"
DEMO_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
ADVISORIES = Path(__file__).parent / "testdata" / "advisories"
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

V1_FINDINGS = {
    ("urllib3", "1.24.1", "CVE-2019-11324"),
    ("Jinja2", "2.10", "CVE-2019-10906"),
    ("lodash", "4.17.15", "CVE-2020-8203"),
    ("busybox-static", "1:1.35.0-4+deb12u1+b1", "DEBIAN-CVE-2022-48174"),
}


def open_findings(store: Store, digest: str) -> set[tuple[str, str, str]]:
    query = (
        sa.select(packages.c.name, packages.c.version, package_findings.c.vuln_id)
        .join(components, components.c.package_id == packages.c.id)
        .join(package_findings, package_findings.c.package_id == packages.c.id)
        .where(components.c.image_digest == digest, package_findings.c.resolved_at.is_(None))
    )
    with store.engine.connect() as conn:
        return {(row.name, row.version, row.vuln_id) for row in conn.execute(query)}


def catalog_demo(store: Store) -> None:
    place = ImagePlace("regwardendemo.azurecr.io", "shop/web", "1.0")
    outcome = catalog_reference(store, DEMO, ImageOptions(), place=place, now=T0)
    assert (outcome.digest, outcome.new, outcome.error) == (DEMO_DIGEST, True, None)


def workload(namespace: str, name: str, digest: str = DEMO_DIGEST) -> Workload:
    return Workload("aks-prod", namespace, "Deployment", name, "web", "regwardendemo.azurecr.io/shop/web:1.0", digest)


def record_cluster(store: Store, running: list[tuple[Workload, Environment]], at: datetime) -> None:
    snapshot = ClusterSnapshot("aks-prod", tuple(w for w, _ in running))
    decisions = [EnvironmentDecision(env, f"test rule: {env.value}") for _, env in running]
    store.workloads.replace_cluster(snapshot, decisions, "test", at)


def test_an_image_is_catalogued_once_and_matched_exactly(db_url: str) -> None:
    import_advisories(ADVISORIES / "v1", db_url=db_url)
    with open_store(db_url) as store:
        catalog_demo(store)
        assert open_findings(store, DEMO_DIGEST) == V1_FINDINGS
        again = catalog_reference(store, DEMO, ImageOptions(), now=T0)
        assert (again.new, again.error) == (False, None)
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(components)).scalar_one() == 6
        assert store.catalog.statuses([DEMO_DIGEST]) == {DEMO_DIGEST: "catalogued"}
        names = store.impact.image_names([DEMO_DIGEST])
        assert names[DEMO_DIGEST].reference() == "regwardendemo.azurecr.io/shop/web:1.0"


def test_an_update_rematches_only_what_changed(db_url: str) -> None:
    import_advisories(ADVISORIES / "v1", db_url=db_url)
    with open_store(db_url) as store:
        catalog_demo(store)
    report = import_advisories(ADVISORIES / "v2", db_url=db_url)
    assert set(report.changed) == {
        "GHSA-35jh-r3h4-6jhm",
        "GHSA-462w-v97r-4m45",
        "GHSA-p6mc-m468-83gw",
        "PYSEC-2019-132",
    }
    assert report.rematch is not None
    # urllib3, Jinja2 and lodash are named by the changed advisories; busybox and the rest are not looked at.
    assert report.rematch.packages == 3
    assert (report.rematch.new_findings, report.rematch.resolved_findings) == (1, 2)
    with open_store(db_url) as store:
        assert open_findings(store, DEMO_DIGEST) == {
            ("lodash", "4.17.15", "CVE-2020-8203"),
            ("lodash", "4.17.15", "CVE-2021-23337"),
            ("busybox-static", "1:1.35.0-4+deb12u1+b1", "DEBIAN-CVE-2022-48174"),
        }


def test_an_unchanged_reimport_does_no_inventory_work(db_url: str) -> None:
    import_advisories(ADVISORIES / "v1", db_url=db_url)
    report = import_advisories(ADVISORIES / "v1", db_url=db_url)
    assert (report.changed, report.rematch) == ((), None)


def test_exposures_open_and_close_with_events_for_production_only(db_url: str) -> None:
    import_advisories(ADVISORIES / "v1", db_url=db_url)
    with open_store(db_url) as store:
        record_cluster(
            store,
            [
                (workload("shop", "web"), Environment.PRODUCTION),
                (workload("shop-dev", "web"), Environment.NON_PRODUCTION),
            ],
            T0,
        )
        catalog_demo(store)
        opened = {(e.payload["workload"]["namespace"], e.payload["vulnerability"]["id"]) for e in store.events.recent()}  # type: ignore[index]
        assert opened == {("shop", vuln) for _, _, vuln in V1_FINDINGS}
    import_advisories(ADVISORIES / "v2", db_url=db_url, endpoints=["ops"])
    with open_store(db_url) as store:
        newest = store.events.recent(limit=3)
        assert {(e.kind, e.payload["vulnerability"]["id"]) for e in newest} == {  # type: ignore[index]
            ("workload.affected", "CVE-2021-23337"),
            ("workload.resolved", "CVE-2019-11324"),
            ("workload.resolved", "CVE-2019-10906"),
        }
        assert all(e.deliveries == (("ops", "pending", 0),) for e in newest)
        record_cluster(store, [], datetime(2026, 1, 6, tzinfo=UTC))
        from regwarden.service.exposure import refresh_exposures
        from regwarden.store.exposures import ExposureScope

        ids = _workload_ids(store)
        closed = refresh_exposures(store, ExposureScope(workload_ids=frozenset(ids)))
        assert {key[1] for key in closed.closed} == {"CVE-2020-8203", "CVE-2021-23337", "DEBIAN-CVE-2022-48174"}


def _workload_ids(store: Store) -> set[int]:
    from regwarden.store.inventory_schema import workloads

    with store.engine.connect() as conn:
        return {int(row.id) for row in conn.execute(sa.select(workloads.c.id))}


@pytest.mark.parametrize("state", ["not_affected", "accepted"])
def test_triage_closes_an_exposure(db_url: str, state: str) -> None:
    from regwarden.model.inventory import TriageDecision, TriageScope, TriageState
    from regwarden.service.exposure import refresh_exposures
    from regwarden.store.exposures import ExposureScope

    import_advisories(ADVISORIES / "v1", db_url=db_url)
    with open_store(db_url) as store:
        record_cluster(store, [(workload("shop", "web"), Environment.PRODUCTION)], T0)
        catalog_demo(store)
        decision = TriageDecision(
            "GHSA-p6mc-m468-83gw", TriageScope.IMAGE, DEMO_DIGEST, TriageState(state), "not reachable", "ana", T0
        )
        store.triage.add(decision)
        changes = refresh_exposures(store, ExposureScope(vuln_ids=frozenset({"CVE-2020-8203"})))
        assert [key[1] for key in changes.closed] == ["CVE-2020-8203"]
        assert changes.opened == ()
