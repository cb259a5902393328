"""Walk a pod's controller references up to the workload a person manages: Deployment, StatefulSet, DaemonSet,
CronJob or Job (a pod with no controller, or a static pod mirrored by its Node, is its own workload).

Only ReplicaSets and Jobs are looked up on the way (they are the intermediate objects the built-in controllers
create); any other controller kind is the top, including custom resources (an Argo `Rollout`, an operator's
`Cluster`) that this collector does not read.

When a ReplicaSet or Job was not read (not in the file, or its namespace was forbidden), its owner is inferred only
where Kubernetes documents the naming convention, and the inference is recorded on the workload:
- the Deployment controller names its ReplicaSets `<deployment>-<pod-template-hash>` and labels their pods
  `pod-template-hash=<hash>`: a ReplicaSet whose name is `<prefix>-<the pod's pod-template-hash>` is Deployment
  `<prefix>`;
- the CronJob controller names its Jobs `<cronjob>-<scheduled time in minutes since the epoch>` (the reason CronJob
  names are limited to 52 characters): a Job whose suffix is a number of minutes that falls after 2016 and not after
  the pod's creation time is CronJob `<prefix>` (a name like `backup-20240101` reads as 2008 and is left alone).
Anything else stays at the object that was not read, and a CollectionGap says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from regwarden.collect.kubernetes.fields import KubeObject, labels_of, mapping_at, objects_at, text_at
from regwarden.model.workload import CollectionGap

WALKED_KINDS = ("ReplicaSet", "Job")
"""Kinds whose own controller is looked up; every other controller kind is the top."""
_PLURALS = {"ReplicaSet": "replicasets", "Job": "jobs"}
_MAX_DEPTH = 4
_MAX_MINUTE_DIGITS = 10
_CRONJOB_EPOCH_FLOOR = datetime(2016, 1, 1, tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class OwnerRef:
    kind: str
    name: str


@dataclass(frozen=True)
class TopOwner:
    """The workload a pod belongs to."""

    kind: str
    name: str
    labels: Mapping[str, str] | None = None
    """The top object's labels when it was read; None when only its name is known."""
    inferred: str | None = None
    gap: CollectionGap | None = None


class OwnerIndex:
    """Owner objects (ReplicaSets, Jobs, and any top-level objects) by kind, namespace and name."""

    def __init__(self, objects: Iterable[KubeObject]) -> None:
        self._by_key = {_key(obj): obj for obj in objects}

    def get(self, kind: str, namespace: str, name: str) -> KubeObject | None:
        return self._by_key.get((kind, namespace, name))


def controller_of(obj: KubeObject) -> OwnerRef | None:
    """The owner reference marked `controller: true`: the one object that manages `obj`."""
    for ref in objects_at(obj, "metadata", "ownerReferences"):
        if ref.get("controller") is True:
            return OwnerRef(text_at(ref, "kind"), text_at(ref, "name"))
    return None


def top_owner(pod: KubeObject, index: OwnerIndex) -> TopOwner:
    """The workload `pod` belongs to (module docstring)."""
    ref = controller_of(pod)
    if ref is None or ref.kind == "Node":
        return TopOwner("Pod", text_at(pod, "metadata", "name"))
    namespace = text_at(pod, "metadata", "namespace")
    for _ in range(_MAX_DEPTH):
        obj = index.get(ref.kind, namespace, ref.name)
        if ref.kind not in WALKED_KINDS:
            return TopOwner(ref.kind, ref.name, labels_of(obj) if obj is not None else None)
        if obj is None:
            return _inferred(ref, namespace, pod)
        parent = controller_of(obj)
        if parent is None:
            return TopOwner(ref.kind, ref.name, labels_of(obj))
        ref = parent
    return TopOwner(ref.kind, ref.name)


def _inferred(ref: OwnerRef, namespace: str, pod: KubeObject) -> TopOwner:
    inferred = _deployment_of(ref, pod) if ref.kind == "ReplicaSet" else _cronjob_of(ref, pod)
    if inferred is not None:
        return inferred
    scope = f"{_PLURALS[ref.kind]}/{namespace}/{ref.name}"
    return TopOwner(
        ref.kind, ref.name, gap=CollectionGap(scope, f"{ref.kind} not read: the workload above it is unknown")
    )


def _deployment_of(ref: OwnerRef, pod: KubeObject) -> TopOwner | None:
    template_hash = labels_of(pod).get("pod-template-hash", "")
    deployment = ref.name.removesuffix(f"-{template_hash}")
    if not template_hash or deployment == ref.name or not deployment:
        return None
    how = "ReplicaSet not read: Deployment named by the ReplicaSet name <deployment>-<pod-template-hash>"
    return TopOwner("Deployment", deployment, inferred=how)


def _cronjob_of(ref: OwnerRef, pod: KubeObject) -> TopOwner | None:
    cronjob, _, minutes = ref.name.rpartition("-")
    created = _timestamp(text_at(pod, "metadata", "creationTimestamp"))
    if not cronjob or not minutes.isdigit() or len(minutes) > _MAX_MINUTE_DIGITS or created is None:
        return None
    scheduled = _EPOCH + timedelta(minutes=int(minutes))
    if not _CRONJOB_EPOCH_FLOOR <= scheduled <= created:
        return None
    how = "Job not read: CronJob named by the Job name <cronjob>-<scheduled time in minutes since the epoch>"
    return TopOwner("CronJob", cronjob, inferred=how)


def _timestamp(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed is not None and parsed.tzinfo is None else parsed


def _key(obj: KubeObject) -> tuple[str, str, str]:
    metadata = mapping_at(obj, "metadata")
    return text_at(obj, "kind"), text_at(metadata, "namespace"), text_at(metadata, "name")
