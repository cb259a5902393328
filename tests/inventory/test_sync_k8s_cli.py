"""`sync k8s` through the CLI against the fake Kubernetes API (real `kubernetes` client, real kubeconfig): a
namespace the sync cannot read is a recorded gap whose workloads keep their state; a pod that goes away stops."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from regwarden.store import open_store
from regwarden.store.inventory_schema import cluster_syncs, workloads
from tests.cli.cli_support import invoke
from tests.collect.kubernetes.expected import OWNERS_FILE, PODS_FILE, items
from tests.support.fake_kube import Context, FakeKube, serve, write_kubeconfig

CLUSTER = "aks-weu-01"


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[FakeKube, Path]]:
    fake = FakeKube(objects=items(PODS_FILE) + items(OWNERS_FILE))
    with serve(fake, tmp_path) as cert:
        kubeconfig = write_kubeconfig(
            tmp_path / "kubeconfig", [Context("weu-admin", CLUSTER, fake.url)], cert.cert_path.read_bytes()
        )
        yield fake, kubeconfig


def sync(kubeconfig: Path, db: str) -> dict[str, object]:
    outcome = invoke(["sync", "k8s", "--kubeconfig", str(kubeconfig), "--no-catalog", "--db", db, "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    [cluster] = json.loads(outcome.stdout)["clusters"]
    assert isinstance(cluster, dict)
    return cluster


def present_by_namespace(db: str) -> dict[str, int]:
    with open_store(db) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(workloads.c.namespace, sa.func.count())
            .where(workloads.c.gone_at.is_(None))
            .group_by(workloads.c.namespace)
        )
        return {str(namespace): int(count) for namespace, count in rows}


def test_a_forbidden_namespace_is_a_gap_and_its_workloads_keep_their_state(
    kube: tuple[FakeKube, Path], tmp_path: Path
) -> None:
    fake, kubeconfig = kube
    db = str(tmp_path / "inventory.db")
    first = sync(kubeconfig, db)
    before = present_by_namespace(db)
    assert first["cluster"] == CLUSTER and first["gaps"] == [] and first["stopped"] == 0
    assert before["batch"] > 0

    fake.forbidden_cluster_wide = {"pods"}
    fake.forbidden_namespaces = {"batch"}
    second = sync(kubeconfig, db)
    assert [gap["scope"] for gap in second["gaps"]] == ["namespace/batch"]  # type: ignore[index, union-attr]
    assert second["stopped"] == 0
    assert present_by_namespace(db) == before
    with open_store(db) as store, store.engine.connect() as conn:
        recorded = json.loads(conn.execute(sa.select(cluster_syncs.c.gaps)).scalar_one())
    assert [gap["scope"] for gap in recorded] == ["namespace/batch"]

    fake.forbidden_cluster_wide, fake.forbidden_namespaces = set(), set()
    fake.objects = [o for o in fake.objects if o["metadata"]["namespace"] != "tools"]
    third = sync(kubeconfig, db)
    assert third["stopped"] == before["tools"]
    assert present_by_namespace(db) == {ns: n for ns, n in before.items() if ns != "tools"}
