"""What the cluster in testdata/kubernetes runs: the exact Workloads the adapter must find.

The fixture's digests are `sha256(<image name:tag>)` (`d("web:1.5")`), so each row below reads as the image it is.
`pods.json` is `kubectl get pods -A -o json`; `owners.json` is `kubectl get replicasets,jobs -A -o json`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from regwarden.model.workload import ContainerKind, Workload

TESTDATA = Path(__file__).parent.parent / "testdata" / "kubernetes"
PODS_FILE = TESTDATA / "pods.json"
OWNERS_FILE = TESTDATA / "owners.json"
ACR = "regwardendemo.azurecr.io"
CLUSTER = "aks-weu-01"
NOT_STARTED = "the container has not started: its status has no imageID"
RS_INFERRED = "ReplicaSet not read: Deployment named by the ReplicaSet name <deployment>-<pod-template-hash>"
JOB_INFERRED = "Job not read: CronJob named by the Job name <cronjob>-<scheduled time in minutes since the epoch>"


def d(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def local_image(runtime: str, config_digest: str) -> str:
    return (
        f"{runtime} reported a local image ID (the config digest {config_digest[:19]}…), not a manifest digest: "
        "the image was built or imported on the node, or pulled without a repository digest"
    )


def row(
    namespace: str, kind: str, name: str, container: str, image: str, digest_of: str | None, **extra: Any
) -> Workload:
    """A running container whose imageID is containerd's `repo@digest` unless `image_id` is given."""
    digest = d(digest_of) if digest_of else None
    image_id = extra.pop("image_id", f"{image.rsplit(':', 1)[0]}@{digest}" if digest else None)
    return Workload(CLUSTER, namespace, kind, name, container, image, digest, image_id=image_id, **extra)


WITH_OWNERS = {
    row("batch", "CronJob", "nightly-report", "report", f"{ACR}/batch/report:2.3", "report:2.3"),
    row("batch", "Job", "backup-20240101", "backup", f"{ACR}/ops/backup:1.0", "backup:1.0"),
    row("batch", "Job", "db-migrate-v42", "migrate", f"{ACR}/shop/migrations:42", "migrations:42"),
    row("kube-system", "Pod", "etcd-aks-node-1", "etcd", "registry.k8s.io/etcd:3.5.15-0", "etcd:3.5.15-0"),
    row(
        "monitoring",
        "DaemonSet",
        "node-exporter",
        "node-exporter",
        "quay.io/prometheus/node-exporter:v1.8.2",
        "node-exporter:v1.8.2",
    ),
    row(
        "monitoring",
        "DaemonSet",
        "node-exporter",
        "node-exporter",
        "quay.io/prometheus/node-exporter:v1.8.2",
        None,
        image_id=d("node-exporter:v1.8.2 config"),
        digest_reason=local_image("containerd", d("node-exporter:v1.8.2 config")),
    ),
    row("payments", "Deployment", "api", "api", f"{ACR}/payments/api:2.8.1", "api:2.8.1", pods=3),
    row("shop", "Deployment", "cart", "cart", f"{ACR}/shop/cart:3.0", "cart:3.0"),
    row(
        "shop",
        "Deployment",
        "cart",
        "cart",
        f"{ACR}/shop/cart:3.0",
        None,
        digest_reason=f"{NOT_STARTED} (waiting: ImagePullBackOff)",
    ),
    # a rollout under way: the old ReplicaSet's evicted pod no longer counts
    row("shop", "Deployment", "web", "web", f"{ACR}/shop/web:1.4", "web:1.4", pods=1),
    row("shop", "Deployment", "web", "web", f"{ACR}/shop/web:1.5", "web:1.5", pods=2),
    row(
        "shop",
        "Deployment",
        "web",
        "config-render",
        f"{ACR}/tools/render:2.1",
        "render:2.1",
        container_kind=ContainerKind.INIT,
        pods=3,
    ),
    row(
        "shop",
        "Deployment",
        "web",
        "debugger-h8x2k",
        "busybox:1.36",
        "busybox:1.36",
        container_kind=ContainerKind.EPHEMERAL,
        image_id=f"docker.io/library/busybox@{d('busybox:1.36')}",
    ),
    row("shop", "ReplicaSet", "legacy-worker", "worker", f"{ACR}/shop/worker:0.9", "worker:0.9"),
    row(
        "shop",
        "StatefulSet",
        "postgres",
        "postgres",
        "postgres:16.2",
        "postgres:16.2",
        image_id=f"docker-pullable://postgres@{d('postgres:16.2')}",
        pods=2,
    ),
    row(
        "tools",
        "Pod",
        "debug-shell",
        "debug-shell",
        "netshoot:local",
        None,
        image_id=f"docker://{d('netshoot:local config')}",
        digest_reason=local_image("Docker", d("netshoot:local config")),
    ),
}


def pods_only() -> set[Workload]:
    """WITH_OWNERS as read from pods.json alone: Deployments and the CronJob inferred, the rest left where they are."""
    inferred = {"Deployment": RS_INFERRED, "CronJob": JOB_INFERRED}
    return {replace(w, owner_inferred=inferred.get(w.kind)) for w in WITH_OWNERS}


def without_namespace(workloads: set[Workload], namespace: str) -> set[Workload]:
    return {w for w in workloads if w.namespace != namespace}


def items(path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(path.read_text())["items"]
    return items
