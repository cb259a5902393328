#!/usr/bin/env python3
"""Write the demo's two clusters as `kubectl get … -A -o json` would print them (committed; rerun to refresh them):

    python3 scripts/make-sample-clusters.py     samples/cluster/aks-prod.json   pods, ReplicaSets and Jobs
                                                samples/cluster/aks-dev.json    pods only (owners are inferred)

The demo images' digests are read from samples/demo.oci.tar and samples/demo-1.1.oci.tar, so a rebuilt image is
picked up by running this again. Every other workload runs an image of its own with a stable made-up digest
(sha256 of its name and tag). Standard library only; the output is the same on every run.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import tarfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ACR = "regwardendemo.azurecr.io"
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
Obj = dict[str, Any]


def archive_digest(name: str) -> str:
    path = REPO / "samples" / name
    if not path.exists():
        sys.exit(f"{path} is missing: build it first (scripts/make-sample-image.sh)")
    with tarfile.open(path) as archive:
        index = json.load(archive.extractfile("index.json"))  # type: ignore[arg-type]
    return str(index["manifests"][0]["digest"])


def made_up(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def uid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest(), version=4))


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Cluster:
    """The objects of one cluster, with resourceVersions counting up as the API server's would."""

    def __init__(self, name: str, nodes: int) -> None:
        self.name, self.nodes, self.version = name, nodes, 51_204_000
        self.pods: list[Obj] = []
        self.owners: list[Obj] = []

    def rv(self) -> str:
        self.version += 131
        return str(self.version)

    def node(self, seed: str) -> str:
        return f"aks-nodepool1-31415926-vmss{random.Random(seed).randrange(self.nodes):06d}"


def owner(api: str, kind: str, name: str) -> Obj:
    return {"apiVersion": api, "blockOwnerDeletion": True, "controller": True, "kind": kind, "name": name,
            "uid": uid(kind + name)}  # fmt: skip


def container_spec(name: str, image: str, port: int | None) -> Obj:
    spec: Obj = {"image": image, "imagePullPolicy": "IfNotPresent", "name": name}
    if port:
        spec["ports"] = [{"containerPort": port, "name": "http", "protocol": "TCP"}]
    spec["resources"] = {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}}
    spec.update(terminationMessagePath="/dev/termination-log", terminationMessagePolicy="File")
    spec["volumeMounts"] = [
        {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": True}
    ]
    return spec


def container_status(name: str, image: str, image_id: str, state: str, started: datetime) -> Obj:
    status: Obj = {}
    if image_id:
        status["containerID"] = "containerd://" + hashlib.sha256(f"{name}{image_id}{started}".encode()).hexdigest()
    status.update(image=image, imageID=image_id, lastState={}, name=name)
    if state == "running":
        status.update(ready=True, restartCount=0, started=True, state={"running": {"startedAt": ts(started)}})
    elif state == "completed":
        done = {"exitCode": 0, "finishedAt": ts(started + timedelta(seconds=48)), "reason": "Completed"}
        status.update(
            ready=False, restartCount=0, started=False, state={"terminated": {**done, "startedAt": ts(started)}}
        )
    else:  # waiting for an image that cannot be pulled
        waiting = {"message": f'Back-off pulling image "{image}"', "reason": "ImagePullBackOff"}
        status.update(ready=False, restartCount=0, started=False, state={"waiting": waiting})
    return status


def pod(
    cluster: Cluster,
    namespace: str,
    name: str,
    *,
    controller: Obj | None,
    labels: dict[str, str],
    image: str,
    digest: str,
    created: datetime,
    phase: str = "Running",
    state: str = "running",
    port: int | None = 8080,
) -> None:
    """A pod of one container; `digest` empty means the image was never pulled."""
    container = labels.get("app.kubernetes.io/name") or labels.get("k8s-app") or name.split("-")[0]
    repository = image.rsplit(":", 1)[0]
    image_id = f"{repository}@{digest}" if digest else ""
    started = created + timedelta(seconds=9)
    metadata: Obj = {"creationTimestamp": ts(created)}
    if controller:
        metadata["generateName"] = name.rsplit("-", 1)[0] + "-"
    metadata.update(labels=labels, name=name, namespace=namespace)
    if controller:
        metadata["ownerReferences"] = [controller]
    metadata.update(resourceVersion=cluster.rv(), uid=uid(cluster.name + namespace + name))
    node = cluster.node(name)
    restart = "Never" if controller and controller["kind"] == "Job" else "Always"
    spec: Obj = {
        "containers": [container_spec(container, image, port)],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": restart,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": 300}
            for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
        ],
        "volumes": [
            {
                "name": "kube-api-access",
                "projected": {
                    "defaultMode": 420,
                    "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}],
                },
            }
        ],
    }  # fmt: skip
    ready = "True" if state == "running" else "False"
    conditions = [
        {"lastProbeTime": None, "lastTransitionTime": ts(started), "status": status, "type": kind}
        for kind, status in (("PodReadyToStartContainers", "True"), ("Initialized", "True"), ("Ready", ready),
                             ("ContainersReady", ready), ("PodScheduled", "True"))
    ]  # fmt: skip
    host = f"10.224.0.{4 + int(node[-1])}"
    pod_ip = f"10.244.{int(node[-1])}.{random.Random(name).randint(2, 250)}"
    status: Obj = {
        "conditions": conditions,
        "containerStatuses": [container_status(container, image, image_id, state, started)],
        "hostIP": host,
        "hostIPs": [{"ip": host}],
        "phase": phase,
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "qosClass": "Burstable",
        "startTime": ts(created),
    }
    cluster.pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status})


def deployment(
    cluster: Cluster, namespace: str, name: str, template_hash: str, image: str, digest: str, replicas: int, **kw: Any
) -> None:
    """`replicas` pods of one ReplicaSet of Deployment `name`, and the ReplicaSet."""
    labels = {"app.kubernetes.io/name": name, **kw.pop("labels", {})}
    replicaset = f"{name}-{template_hash}"
    created = kw.pop("created", NOW - timedelta(days=3))
    for index in range(replicas):
        suffix = hashlib.sha256(f"{replicaset}{index}".encode()).hexdigest()[:5]
        pod_labels = {**labels, "pod-template-hash": template_hash}
        controller = owner("apps/v1", "ReplicaSet", replicaset)
        pod(cluster, namespace, f"{replicaset}-{suffix}", controller=controller, labels=pod_labels, image=image,
            digest=digest, created=created + timedelta(minutes=index), **kw)  # fmt: skip
    metadata = {
        "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/revision": "4"},
        "creationTimestamp": ts(created), "generation": 1, "labels": {**labels, "pod-template-hash": template_hash},
        "name": replicaset, "namespace": namespace, "ownerReferences": [owner("apps/v1", "Deployment", name)],
        "resourceVersion": cluster.rv(), "uid": uid(cluster.name + replicaset),
    }  # fmt: skip
    selector = {"matchLabels": {"app.kubernetes.io/name": name, "pod-template-hash": template_hash}}
    cluster.owners.append({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": metadata,
        "spec": {"replicas": replicas, "selector": selector, "template": {"metadata": {"labels": metadata["labels"]}}},
        "status": {"availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1,
                   "readyReplicas": replicas, "replicas": replicas},
    })  # fmt: skip


def per_node(cluster: Cluster, namespace: str, kind: str, name: str, image: str, digest: str, replicas: int) -> None:
    """A DaemonSet (one pod per node) or a StatefulSet (`name-0`, `name-1`, …): pods owned directly."""
    for index in range(replicas):
        suffix = hashlib.sha256(f"{name}{index}".encode()).hexdigest()[:5] if kind == "DaemonSet" else str(index)
        labels = {"app.kubernetes.io/name": name, "controller-revision-hash": f"{name}-7b9c6d5f8"}
        pod(cluster, namespace, f"{name}-{suffix}", controller=owner("apps/v1", kind, name), labels=labels, image=image,
            digest=digest, created=NOW - timedelta(days=20, hours=index), port=None)  # fmt: skip


def cron_run(cluster: Cluster, namespace: str, cronjob: str, scheduled: datetime, image: str, digest: str) -> None:
    """The last run of CronJob `cronjob`: its Job (named as the CronJob controller names it) and the Job's pod."""
    job = f"{cronjob}-{int(scheduled.timestamp() // 60)}"
    labels = {"batch.kubernetes.io/job-name": job, "job-name": job}
    pod(cluster, namespace, f"{job}-q7x2p", controller=owner("batch/v1", "Job", job),
        labels={"app.kubernetes.io/name": "report", **labels}, image=image, digest=digest,
        created=scheduled + timedelta(seconds=1), phase="Succeeded", state="completed", port=None)  # fmt: skip
    metadata = {
        "creationTimestamp": ts(scheduled), "generation": 1, "labels": labels, "name": job, "namespace": namespace,
        "ownerReferences": [owner("batch/v1", "CronJob", cronjob)], "resourceVersion": cluster.rv(),
        "uid": uid(cluster.name + job),
    }  # fmt: skip
    finished = ts(scheduled + timedelta(minutes=1))
    cluster.owners.append({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
        "spec": {"backoffLimit": 6, "completions": 1, "parallelism": 1, "template": {"metadata": {"labels": labels}}},
        "status": {"completionTime": finished, "startTime": ts(scheduled), "succeeded": 1},
    })  # fmt: skip


def system_workloads(cluster: Cluster) -> None:
    """What AKS itself runs in kube-system."""
    deployment(cluster, "kube-system", "coredns", "5d8b6c9f7", "mcr.microsoft.com/oss/kubernetes/coredns:v1.11.3-2",
               made_up("coredns:v1.11.3-2"), 2, port=53, created=NOW - timedelta(days=41))  # fmt: skip
    per_node(cluster, "kube-system", "DaemonSet", "kube-proxy", "mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.6",
             made_up("kube-proxy:v1.30.6"), cluster.nodes)  # fmt: skip


def production(web_1_0: str, web_1_1: str) -> Cluster:
    prod = Cluster("aks-prod-weu", nodes=3)
    web = f"{ACR}/shop/web"
    # shop/web is rolling out 1.1: two pods still run 1.0 (the vulnerable demo image), one runs 1.1
    deployment(prod, "shop", "web", "7f9c5b8d6", f"{web}:1.0", web_1_0, 2, created=NOW - timedelta(days=30))
    deployment(prod, "shop", "web", "6b8d7c4f9", f"{web}:1.1", web_1_1, 1, created=NOW - timedelta(hours=1))
    deployment(prod, "shop", "cart", "84c6f7d9b", f"{ACR}/shop/cart:3.0", made_up("cart:3.0"), 2)
    deployment(prod, "payments", "checkout-web", "5c7d9f8b6", f"{web}:1.0", web_1_0, 2, labels={"team": "payments"})
    deployment(prod, "payments", "api", "9d6f8c7b5", f"{ACR}/payments/api:2.8.1", made_up("api:2.8.1"), 3)
    per_node(prod, "payments", "StatefulSet", "ledger-db", "postgres:16.2", made_up("postgres:16.2"), 2)
    # a staging namespace in the production cluster: non-production by its name
    deployment(prod, "shop-staging", "web", "6b8d7c4f9", f"{web}:1.1", web_1_1, 1)
    cron_run(
        prod, "batch", "nightly-report", NOW.replace(hour=2, minute=0), f"{ACR}/batch/report:2.3", made_up("report:2.3")
    )
    per_node(prod, "monitoring", "DaemonSet", "node-exporter", "quay.io/prometheus/node-exporter:v1.8.2",
             made_up("node-exporter:v1.8.2"), prod.nodes)  # fmt: skip
    system_workloads(prod)
    return prod


def development(web_1_0: str, web_1_1: str) -> Cluster:
    dev = Cluster("aks-dev-weu", nodes=2)
    web = f"{ACR}/shop/web"
    deployment(dev, "payments-dev", "checkout-web", "5c7d9f8b6", f"{web}:1.0", web_1_0, 1, labels={"team": "payments"})
    deployment(dev, "payments-dev", "api", "7c5b9d8f6", f"{ACR}/payments/api:2.9.0-rc1", made_up("api:2.9.0-rc1"), 1)
    deployment(dev, "shop-dev", "web", "6b8d7c4f9", f"{web}:1.1", web_1_1, 1)
    # a tag that was never pushed: the pod waits, and its container has no imageID
    deployment(
        dev, "shop-dev", "cart", "b7d9c6f58", f"{ACR}/shop/cart:3.1-beta", "", 1, phase="Pending", state="waiting"
    )
    system_workloads(dev)
    return dev


def write(objects: list[Obj], path: Path) -> None:
    objects = sorted(
        objects, key=lambda o: (o["kind"] != "Pod", o["kind"], o["metadata"]["namespace"], o["metadata"]["name"])
    )
    document = {"apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=4) + "\n")  # kubectl indents JSON by four spaces
    print(f"{path.relative_to(REPO)}: {sum(o['kind'] == 'Pod' for o in objects)} pods, {len(objects)} objects")


def main() -> None:
    web_1_0, web_1_1 = archive_digest("demo.oci.tar"), archive_digest("demo-1.1.oci.tar")
    prod, dev = production(web_1_0, web_1_1), development(web_1_0, web_1_1)
    write(
        prod.pods + prod.owners, REPO / "samples" / "cluster" / "aks-prod.json"
    )  # kubectl get pods,rs,jobs -A -o json
    write(dev.pods, REPO / "samples" / "cluster" / "aks-dev.json")  # kubectl get pods -A -o json


if __name__ == "__main__":
    main()
