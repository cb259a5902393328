"""A small, real inventory for the history, drift and triage tests: the two sample builds of the demo app
(samples/demo.oci.tar, samples/demo-1.1.oci.tar) catalogued into repository shop/web of one registry, matched
against the v1 advisory fixtures, with a tag that moved 1.0 → a build that could not be read → 1.1 → back to 1.0.

    T0  shop/web:1.0 and :latest → DEMO          (catalogued)
    T1  shop/web:latest → BROKEN                 (its archive cannot be read: catalogued as failed)
    T2  shop/web:1.1 and :latest → DEMO_1_1      (catalogued)
    T3  shop/web:latest → DEMO                   (a rollback)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from regwarden.model.workload import ClusterSnapshot, Environment, EnvironmentDecision, Workload
from regwarden.service.catalog import ImagePlace, catalog_reference
from regwarden.service.database import import_advisories
from regwarden.service.images import ImageOptions
from regwarden.store import Store

REPO = Path(__file__).resolve().parents[2]
ADVISORIES = Path(__file__).parent / "testdata" / "advisories"
REGISTRY = "regwardendemo.azurecr.io"
REPOSITORY = "shop/web"
DEMO = f"oci-archive:{REPO / 'samples' / 'demo.oci.tar'}"
DEMO_1_1 = f"oci-archive:{REPO / 'samples' / 'demo-1.1.oci.tar'}"
DEMO_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1_DIGEST = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
BROKEN_DIGEST = "sha256:" + "b" * 64
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
T1, T2, T3 = (T0 + timedelta(hours=hours) for hours in (1, 2, 3))

V1_DEMO_FINDINGS = {
    ("CVE-2019-11324", "urllib3", "1.24.1"),
    ("CVE-2019-10906", "Jinja2", "2.10"),
    ("CVE-2020-8203", "lodash", "4.17.15"),
    ("DEBIAN-CVE-2022-48174", "busybox-static", "1:1.35.0-4+deb12u1+b1"),
}
"""The demo's open findings under the v1 advisories; 1.1 keeps only busybox's."""


def import_v1(db_url: str) -> None:
    import_advisories(ADVISORIES / "v1", db_url=db_url)


def catalog_builds(store: Store) -> None:
    """The four tag moves above, through the real catalog use case."""
    options = ImageOptions()
    outcome = catalog_reference(store, DEMO, options, place=ImagePlace(REGISTRY, REPOSITORY, "1.0"), now=T0)
    assert (outcome.digest, outcome.error) == (DEMO_DIGEST, None)
    repository_id = store.locations.repository_id(REGISTRY, REPOSITORY, "acr")
    store.locations.record_tag(repository_id, "latest", DEMO_DIGEST, T0)
    broken = catalog_reference(
        store,
        f"oci-archive:{REPO / 'samples' / 'no-such-build.oci.tar'}",
        options,
        place=ImagePlace(REGISTRY, REPOSITORY, "latest"),
        known_digest=BROKEN_DIGEST,
        now=T1,
    )
    assert broken.error is not None
    outcome = catalog_reference(store, DEMO_1_1, options, place=ImagePlace(REGISTRY, REPOSITORY, "1.1"), now=T2)
    assert (outcome.digest, outcome.error) == (DEMO_1_1_DIGEST, None)
    store.locations.record_tag(repository_id, "latest", DEMO_1_1_DIGEST, T2)
    store.locations.record_tag(repository_id, "latest", DEMO_DIGEST, T3)


def workload(
    namespace: str,
    name: str,
    digest: str | None,
    image: str = f"{REGISTRY}/{REPOSITORY}:1.0",
    reason: str | None = None,
) -> Workload:
    return Workload("aks-prod", namespace, "Deployment", name, "web", image, digest, digest_reason=reason)


def record_cluster(store: Store, running: list[tuple[Workload, Environment]], at: datetime) -> None:
    snapshot = ClusterSnapshot("aks-prod", tuple(w for w, _ in running))
    decisions = [EnvironmentDecision(env, f"test rule: {env.value}") for _, env in running]
    store.workloads.replace_cluster(snapshot, decisions, "test", at)
