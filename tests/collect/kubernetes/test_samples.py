"""The bundled sample clusters (samples/cluster) say what their README says: where the demo images run."""

from __future__ import annotations

from pathlib import Path

from regwarden.collect.kubernetes import read_pods_file
from regwarden.inventory.environment import decide_environment

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "cluster"
DEMO_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"  # samples/demo.oci.tar
DEMO_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"  # samples/demo-1.1.oci.tar


def demo_rows(name: str, cluster: str) -> set[tuple[str, str, str, str, int, str]]:
    snapshot = read_pods_file(SAMPLES / name, cluster)
    assert snapshot.gaps == ()
    return {
        (w.namespace, w.kind, w.name, w.digest or "", w.pods, decide_environment(w).environment.value)
        for w in snapshot.workloads
        if w.image.startswith("regwardendemo.azurecr.io/shop/web:")
    }


def test_where_the_demo_images_run() -> None:
    assert demo_rows("aks-prod.json", "aks-prod-weu") == {
        ("shop", "Deployment", "web", DEMO_1_0, 2, "production"),
        ("shop", "Deployment", "web", DEMO_1_1, 1, "production"),
        ("payments", "Deployment", "checkout-web", DEMO_1_0, 2, "production"),
        ("shop-staging", "Deployment", "web", DEMO_1_1, 1, "non-production"),
    }
    assert demo_rows("aks-dev.json", "aks-dev-weu") == {
        ("payments-dev", "Deployment", "checkout-web", DEMO_1_0, 1, "non-production"),
        ("shop-dev", "Deployment", "web", DEMO_1_1, 1, "non-production"),
    }


def test_the_samples_size_and_shape() -> None:
    prod = read_pods_file(SAMPLES / "aks-prod.json", "aks-prod-weu")
    dev = read_pods_file(SAMPLES / "aks-dev.json", "aks-dev-weu")
    assert (len(prod.workloads), sum(w.pods for w in prod.workloads)) == (11, 22)
    assert (len(dev.workloads), sum(w.pods for w in dev.workloads)) == (6, 8)
    assert {w.owner_inferred is None for w in prod.workloads} == {True}
    assert {(w.kind, w.owner_inferred is None) for w in dev.workloads} == {("Deployment", False), ("DaemonSet", True)}
    assert [(w.namespace, w.name, w.digest) for w in dev.workloads if w.digest is None] == [("shop-dev", "cart", None)]
