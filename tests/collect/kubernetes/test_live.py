"""The live collector, driven through the real `kubernetes` client and a real kubeconfig file against the fake API
server in tests/support/fake_kube.py, which serves the same cluster as testdata/kubernetes (pods and owners)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regwarden.collect.kubernetes import collect_cluster, list_contexts
from regwarden.model.errors import AuthError, BadInputError, NotFoundError, UnreachableError
from regwarden.model.workload import CollectionGap
from tests.collect.kubernetes.expected import (
    OWNERS_FILE,
    PODS_FILE,
    RS_INFERRED,
    WITH_OWNERS,
    items,
    without_namespace,
)
from tests.support.fake_kube import Context, FakeKube, Request, serve, write_kubeconfig

CLUSTER = "aks-weu-01"  # the kubeconfig's cluster name, which names the snapshot


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[tuple[FakeKube, Path]]:
    fake = FakeKube(objects=items(PODS_FILE) + items(OWNERS_FILE), extra_namespaces={"default", "empty"})
    with serve(fake, tmp_path) as cert:
        contexts = [
            Context("weu-admin", CLUSTER, fake.url),
            Context("weu-shop", CLUSTER, fake.url, namespace="shop"),
            Context("other", "aks-other", fake.url, token="wrong-token"),
        ]
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", contexts, cert.cert_path.read_bytes())
        yield fake, kubeconfig


def test_collects_the_cluster_with_owners_walked(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    before = datetime.now(UTC)
    snapshot = collect_cluster(kubeconfig=kubeconfig)
    assert snapshot.cluster == CLUSTER
    assert set(snapshot.workloads) == WITH_OWNERS
    assert snapshot.gaps == ()
    assert snapshot.collected_at is not None and before <= snapshot.collected_at <= datetime.now(UTC)
    assert [r.path for r in fake.requests] == ["/api/v1/pods", "/apis/apps/v1/replicasets", "/apis/batch/v1/jobs"]


def test_every_list_is_paginated_with_continue(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    snapshot = collect_cluster(kubeconfig=kubeconfig, page_size=4)
    assert set(snapshot.workloads) == WITH_OWNERS
    pages = {path: [r for r in fake.requests if r.path == path] for path in {r.path for r in fake.requests}}
    # 19 pods in pages of 4 -> 5 requests, 4 continued; 5 ReplicaSets -> 2; 3 Jobs -> 1
    assert {path: (len(reqs), sum(r.continued for r in reqs)) for path, reqs in pages.items()} == {
        "/api/v1/pods": (5, 4),
        "/apis/apps/v1/replicasets": (2, 1),
        "/apis/batch/v1/jobs": (1, 0),
    }
    assert {r.limit for r in fake.requests} == {4}


def test_an_expired_continue_token_restarts_the_list_once(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    fake.expire_continue = 1
    assert set(collect_cluster(kubeconfig=kubeconfig, page_size=10).workloads) == WITH_OWNERS
    assert [(r.path, r.continued) for r in fake.requests[:4]] == [
        ("/api/v1/pods", False),
        ("/api/v1/pods", True),  # 410
        ("/api/v1/pods", False),
        ("/api/v1/pods", True),
    ]
    fake.expire_continue = 2
    with pytest.raises(UnreachableError, match="the continue token kept expiring"):
        collect_cluster(kubeconfig=kubeconfig, page_size=10)


def test_forbidden_cluster_wide_pods_fall_back_to_namespaces_and_record_the_forbidden_one(
    kube: tuple[FakeKube, Path],
) -> None:
    fake, kubeconfig = kube
    fake.forbidden_cluster_wide = {"pods"}
    fake.forbidden_namespaces = {"batch"}
    snapshot = collect_cluster(kubeconfig=kubeconfig, page_size=3)
    assert set(snapshot.workloads) == without_namespace(WITH_OWNERS, "batch")
    assert snapshot.gaps == (
        CollectionGap(
            "namespace/batch",
            '403 Forbidden: pods is forbidden: User "system:serviceaccount:regwarden:reader" cannot list resource '
            '"pods" in API group "" in the namespace "batch"',
        ),
    )
    namespaced = sorted({r.path for r in fake.requests if r.path.endswith("/pods") and "/namespaces/" in r.path})
    assert namespaced == [
        f"/api/v1/namespaces/{ns}/pods"
        for ns in ("batch", "default", "empty", "kube-system", "monitoring", "payments", "shop", "tools")
    ]


def test_forbidden_owners_are_listed_per_namespace_and_inferred_where_forbidden(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    fake.forbidden_cluster_wide = {"replicasets", "jobs"}
    fake.forbidden_namespaces = {"shop"}
    snapshot = collect_cluster(kubeconfig=kubeconfig)
    # pods in shop cannot be listed namespace by namespace, but the cluster-wide pod list is allowed
    shop_inferred = {w for w in WITH_OWNERS if w.namespace == "shop" and w.kind == "Deployment"}
    expected = (WITH_OWNERS - shop_inferred) | {
        w.__class__(**{**w.__dict__, "owner_inferred": RS_INFERRED}) for w in shop_inferred
    }
    assert set(snapshot.workloads) == expected
    assert {gap.scope for gap in snapshot.gaps} == {"replicasets/shop", "replicasets/shop/legacy-worker"}
    # owners are listed only in namespaces whose pods have such owners
    assert sorted(r.path for r in fake.requests if "/namespaces/" in r.path) == [
        "/apis/apps/v1/namespaces/payments/replicasets",
        "/apis/apps/v1/namespaces/shop/replicasets",
        "/apis/batch/v1/namespaces/batch/jobs",
    ]


def test_without_namespace_listing_the_contexts_namespace_is_read(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    fake.forbidden_cluster_wide = {"pods", "namespaces", "replicasets", "jobs"}
    snapshot = collect_cluster("weu-shop", kubeconfig=kubeconfig)
    assert set(snapshot.workloads) == {w for w in WITH_OWNERS if w.namespace == "shop"}
    assert [gap.scope for gap in snapshot.gaps] == [f"cluster/{CLUSTER}"]
    assert snapshot.gaps[0].reason.startswith("only namespace shop was read: namespaces is forbidden")
    with pytest.raises(AuthError, match=r"may neither list pods cluster-wide .* nor list namespaces"):
        collect_cluster("weu-admin", kubeconfig=kubeconfig)


def test_contexts_and_cluster_names(kube: tuple[FakeKube, Path]) -> None:
    _fake, kubeconfig = kube
    assert list_contexts(kubeconfig) == ["weu-admin", "weu-shop", "other"]
    assert collect_cluster("weu-shop", "prod-weu", kubeconfig=kubeconfig).cluster == "prod-weu"
    with pytest.raises(
        NotFoundError, match=r"no context 'nope' in kubeconfig .* \(contexts: weu-admin, weu-shop, other\)"
    ):
        collect_cluster("nope", kubeconfig=kubeconfig)


def test_the_default_kubeconfig_is_kubeconfig_env(kube: tuple[FakeKube, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _fake, kubeconfig = kube
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    assert list_contexts() == ["weu-admin", "weu-shop", "other"]
    assert collect_cluster().cluster == CLUSTER
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig.parent / "absent"))
    with pytest.raises(BadInputError, match="cannot read the kubeconfig"):
        list_contexts()


def test_rejected_credentials_are_an_auth_error(kube: tuple[FakeKube, Path]) -> None:
    fake, kubeconfig = kube
    with pytest.raises(AuthError, match=r"refused the credentials \(401\): Unauthorized"):
        collect_cluster("other", kubeconfig=kubeconfig)
    assert fake.requests == [Request("/api/v1/pods", 500, False)]


def test_an_unreachable_server_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from tests.support.registry import make_self_signed

    ca = make_self_signed(tmp_path / "ca").cert_path.read_bytes()
    kubeconfig = write_kubeconfig(
        tmp_path / "kubeconfig", [Context("gone", "aks-gone", f"https://127.0.0.1:{port}")], ca
    )
    with pytest.raises(UnreachableError, match=r"cannot reach the Kubernetes API server: .*Connection refused"):
        collect_cluster(kubeconfig=kubeconfig, timeout=2.0)


def test_a_server_with_an_untrusted_certificate_is_unreachable(kube: tuple[FakeKube, Path], tmp_path: Path) -> None:
    fake, _kubeconfig = kube
    from tests.support.registry import make_self_signed

    stranger = make_self_signed(tmp_path / "stranger")
    kubeconfig = write_kubeconfig(
        tmp_path / "untrusted", [Context("c", "aks", fake.url)], stranger.cert_path.read_bytes()
    )
    with pytest.raises(UnreachableError, match=r"cannot reach the Kubernetes API server: .*CERTIFICATE_VERIFY_FAILED"):
        collect_cluster(kubeconfig=kubeconfig, timeout=5.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read kubeconfig"),
        ("contexts: [", "cannot read kubeconfig"),
        ("apiVersion: v1\nkind: Config\ncontexts: []\nclusters: []\nusers: []\n", "cannot read kubeconfig"),
    ],
)
def test_an_unreadable_kubeconfig_is_bad_input(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "kubeconfig"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BadInputError, match=message):
        list_contexts(path)
