"""`--from FILE`: kubectl JSON read into exact sets of Workloads, owners walked from the file or inferred."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regwarden.collect.kubernetes import read_pods_file, workloads_from_objects
from regwarden.model.errors import BadInputError
from regwarden.model.workload import CollectionGap
from tests.collect.kubernetes.expected import (
    CLUSTER,
    OWNERS_FILE,
    PODS_FILE,
    WITH_OWNERS,
    items,
    pods_only,
)

UNINFERRED_GAPS = {
    CollectionGap("jobs/batch/backup-20240101", "Job not read: the workload above it is unknown"),
    CollectionGap("jobs/batch/db-migrate-v42", "Job not read: the workload above it is unknown"),
    CollectionGap("replicasets/shop/legacy-worker", "ReplicaSet not read: the workload above it is unknown"),
}


def write(tmp_path: Path, document: Any, name: str = "cluster.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def kubectl_list(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objects}


def test_pods_alone_infer_documented_owners_and_record_the_rest() -> None:
    snapshot = read_pods_file(PODS_FILE, CLUSTER)
    assert snapshot.cluster == CLUSTER
    assert set(snapshot.workloads) == pods_only()
    assert len(snapshot.workloads) == len(pods_only())
    assert set(snapshot.gaps) == UNINFERRED_GAPS
    assert snapshot.collected_at is None


def test_pods_with_their_owners_walk_up_without_inference(tmp_path: Path) -> None:
    combined = write(tmp_path, kubectl_list(items(PODS_FILE) + items(OWNERS_FILE)))
    snapshot = read_pods_file(combined, CLUSTER)
    assert set(snapshot.workloads) == WITH_OWNERS
    assert snapshot.gaps == ()


def test_labels_come_from_the_top_object_when_read_else_from_the_pod(tmp_path: Path) -> None:
    with_owners = read_pods_file(write(tmp_path, kubectl_list(items(PODS_FILE) + items(OWNERS_FILE))), CLUSTER)
    labels = {(w.kind, w.name): dict(w.labels) for w in with_owners.workloads}
    assert labels[("ReplicaSet", "legacy-worker")] == {"app": "legacy-worker"}
    assert labels[("Job", "db-migrate-v42")]["job-name"] == "db-migrate-v42"
    # Deployments are not in the file: their pods' labels, template labels plus the hash of one revision
    assert labels[("Deployment", "api")] == {
        "app.kubernetes.io/name": "payments-api",
        "env": "prod",
        "pod-template-hash": "84f7c6d9b5",
    }
    assert labels[("StatefulSet", "postgres")]["app"] == "postgres"


def test_a_top_level_object_in_the_file_gives_its_labels() -> None:
    pods = [p for p in items(PODS_FILE) if p["metadata"]["namespace"] == "payments"]
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "payments", "labels": {"team": "payments", "tier": "critical"}},
    }
    replicaset = {
        "kind": "ReplicaSet",
        "metadata": {
            "name": "api-84f7c6d9b5",
            "namespace": "payments",
            "ownerReferences": [{"kind": "Deployment", "name": "api", "controller": True}],
        },
    }
    workloads, gaps = workloads_from_objects(CLUSTER, pods, [deployment, replicaset])
    assert [(w.kind, w.name, w.pods, dict(w.labels), w.owner_inferred) for w in workloads] == [
        ("Deployment", "api", 3, {"team": "payments", "tier": "critical"}, None)
    ]
    assert gaps == ()


def test_a_typed_pod_list_and_a_single_pod(tmp_path: Path) -> None:
    """The API's own PodList leaves `kind` out of its items; `kubectl get pod NAME -o json` is one Pod."""
    stripped = [{k: v for k, v in p.items() if k not in ("kind", "apiVersion")} for p in items(PODS_FILE)]
    pod_list = write(tmp_path, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": stripped})
    assert set(read_pods_file(pod_list, CLUSTER).workloads) == pods_only()
    postgres = next(p for p in items(PODS_FILE) if p["metadata"]["name"] == "postgres-0")
    single = read_pods_file(write(tmp_path, postgres, "pod.json"), CLUSTER)
    assert [(w.kind, w.name, w.pods) for w in single.workloads] == [("StatefulSet", "postgres", 1)]


def test_other_kinds_are_passed_over_and_an_empty_cluster_is_empty(tmp_path: Path) -> None:
    service = {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}}
    with_service = write(tmp_path, kubectl_list([*items(PODS_FILE), service]))
    assert set(read_pods_file(with_service, CLUSTER).workloads) == pods_only()
    empty = read_pods_file(write(tmp_path, kubectl_list([]), "empty.json"), CLUSTER)
    assert (empty.workloads, empty.gaps) == ((), ())


@pytest.mark.parametrize(
    ("name", "minutes", "created", "kind"),
    [
        ("nightly", 29432280, "2025-12-17T02:00:02Z", "CronJob"),  # 2025-12-17T02:00Z, just before the pod
        ("nightly", 29432280, "2025-12-17T01:59:00Z", "Job"),  # scheduled after the pod was created: not a CronJob's
        ("backup", 20240101, "2025-12-17T02:00:02Z", "Job"),  # a date, read as minutes: 2008
        ("nightly", 29432280, "", "Job"),  # no creation time, nothing to check against
        ("x", 99999999999, "2025-12-17T02:00:02Z", "Job"),
    ],
)
def test_cronjob_inference_is_checked_against_the_pod_creation_time(
    name: str, minutes: int, created: str, kind: str
) -> None:
    job = f"{name}-{minutes}"
    pod = {
        "kind": "Pod",
        "metadata": {
            "name": f"{job}-abcde",
            "namespace": "batch",
            "creationTimestamp": created or None,
            "ownerReferences": [{"kind": "Job", "name": job, "controller": True}],
        },
        "spec": {"containers": [{"name": "c", "image": "img:1"}]},
    }
    workloads, gaps = workloads_from_objects(CLUSTER, [pod])
    assert [(w.kind, w.name) for w in workloads] == [(kind, name if kind == "CronJob" else job)]
    assert len(gaps) == (0 if kind == "CronJob" else 1)


def test_a_replicaset_is_a_deployments_only_with_the_matching_pod_template_hash() -> None:
    def pod(owner: str, labels: dict[str, str]) -> dict[str, Any]:
        metadata = {"name": "p", "namespace": "ns", "labels": labels}
        metadata["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner, "controller": True}]  # type: ignore[assignment]
        return {"kind": "Pod", "metadata": metadata, "spec": {"containers": [{"name": "c", "image": "i"}]}}

    cases = [
        pod("web-5d9c7", {"pod-template-hash": "5d9c7"}),  # the Deployment convention
        pod("web-5d9c7", {"pod-template-hash": "1111"}),  # a hash that is not the suffix
        pod("worker-5d9c7", {}),  # no hash label
        pod("5d9c7", {"pod-template-hash": "5d9c7"}),  # nothing before the hash
        pod("ro-3f2a", {"rollouts-pod-template-hash": "3f2a"}),  # Argo Rollouts: another convention
    ]
    found = [workloads_from_objects(CLUSTER, [case])[0][0] for case in cases]
    assert [(w.kind, w.name) for w in found] == [
        ("Deployment", "web"),
        ("ReplicaSet", "web-5d9c7"),
        ("ReplicaSet", "worker-5d9c7"),
        ("ReplicaSet", "5d9c7"),
        ("ReplicaSet", "ro-3f2a"),
    ]


def test_other_controllers_are_the_top_and_non_controller_owners_are_ignored() -> None:
    def pod(name: str, refs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "db", "ownerReferences": refs},
            "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]},
        }

    pods = [
        pod("pg-1", [{"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "name": "pg", "controller": True}]),
        pod("lonely", [{"kind": "ConfigMap", "name": "cm", "controller": False}]),
    ]
    workloads, gaps = workloads_from_objects(CLUSTER, pods)
    assert [(w.kind, w.name) for w in workloads] == [("Cluster", "pg"), ("Pod", "lonely")]
    assert gaps == ()


def test_a_pending_pod_without_statuses_keeps_its_containers() -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [{"name": "app", "image": "app:1"}], "initContainers": [{"name": "i", "image": "i:1"}]},
        "status": {"phase": "Pending"},
    }
    workloads, _ = workloads_from_objects(CLUSTER, [pod])
    assert [(w.container_kind, w.container, w.image, w.digest, w.digest_reason) for w in workloads] == [
        ("container", "app", "app:1", None, "no container status yet (the pod is not scheduled or still starting)"),
        ("init", "i", "i:1", None, "no container status yet (the pod is not scheduled or still starting)"),
    ]


def test_malformed_json_is_bad_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "List", "items": [')
    with pytest.raises(BadInputError, match=r"broken.json: malformed JSON at line 1 column 28"):
        read_pods_file(broken, CLUSTER)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected `kubectl get pods -A -o json` output (a v1 List of Pods) or one Pod; got a JSON list"),
        ({"kind": "Deployment", "metadata": {}}, "or one Pod; got kind 'Deployment'"),
        ({"items": []}, "or one Pod; got an object with no kind"),
        ({"kind": "List", "items": {}}, "or one Pod; got kind 'List'"),
        ({"kind": "List", "items": ["pod"]}, "every item of the list must be an object, got a JSON str"),
        ({"kind": "List", "items": [{"metadata": {}}]}, "an item of the List has no kind"),
        (
            {"kind": "List", "items": [{"kind": "ReplicaSet", "metadata": {}}, {"kind": "Job", "metadata": {}}]},
            "the list holds no Pods (only Job, ReplicaSet)",
        ),
        (
            {"kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": "web"}},
            "Pod n/p: spec.containers must be a list of objects",
        ),
        (
            {"kind": "Pod", "metadata": {"name": "p", "namespace": "n", "labels": {"a": 1}}, "spec": {}},
            "Pod n/p: metadata.labels must map names to strings",
        ),
        ({"kind": "Pod", "metadata": "p"}, "Pod: metadata must be an object"),
    ],
)
def test_documents_that_are_not_pods_are_bad_input(tmp_path: Path, document: Any, message: str) -> None:
    with pytest.raises(BadInputError) as caught:
        read_pods_file(write(tmp_path, document), CLUSTER)
    assert message in str(caught.value)


def test_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        read_pods_file(tmp_path / "absent.json", CLUSTER)
