"""The adapter: Kubernetes Pod objects (and their owners) into Workloads, one per workload, container and digest.

Pure: it reads dicts shaped like the Kubernetes API's JSON (from a file or from the live API alike) and never does
I/O. Each pod is attributed to its top-level owner (owners.py); every container, init container and ephemeral
container is read with its status's `imageID` (image_id.py); pods of one workload running the same container at
the same digest fold into one Workload with a pod count, so a rollout under way shows two rows.

Finished pods (phase Succeeded or Failed) count only for Jobs and CronJobs, whose last run is the evidence of what
they run; a finished pod of a long-running workload (an evicted Deployment pod) no longer runs anything and its
replacement is counted instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from regwarden.collect.kubernetes.fields import KubeObject, labels_of, mapping_at, objects_at, text_at
from regwarden.collect.kubernetes.image_id import NOT_STARTED, RunningImage, parse_image_id
from regwarden.collect.kubernetes.owners import OwnerIndex, TopOwner, top_owner
from regwarden.model.workload import CollectionGap, ContainerKind, Workload

_SECTIONS = (
    (ContainerKind.CONTAINER, "containers", "containerStatuses"),
    (ContainerKind.INIT, "initContainers", "initContainerStatuses"),
    (ContainerKind.EPHEMERAL, "ephemeralContainers", "ephemeralContainerStatuses"),
)
_FINISHED_PHASES = ("Succeeded", "Failed")
_RUN_TO_COMPLETION = ("Job", "CronJob")


def workloads_from_objects(
    cluster: str, pods: Iterable[KubeObject], owners: Iterable[KubeObject] = ()
) -> tuple[tuple[Workload, ...], tuple[CollectionGap, ...]]:
    """Workloads of `pods` (folded, sorted) and the owners that could not be resolved (one gap per object)."""
    index = OwnerIndex(owners)
    folded: dict[Workload, Workload] = {}
    gaps: dict[str, CollectionGap] = {}
    for pod in pods:
        owner = top_owner(pod, index)
        if _finished(pod, owner):
            continue
        if owner.gap is not None:
            gaps.setdefault(owner.gap.scope, owner.gap)
        for workload in _pod_workloads(cluster, pod, owner):
            seen = folded.get(workload)
            folded[workload] = workload if seen is None else replace(seen, pods=seen.pods + 1)
    return tuple(sorted(folded.values(), key=_order)), tuple(gaps.values())


def _finished(pod: KubeObject, owner: TopOwner) -> bool:
    return text_at(pod, "status", "phase") in _FINISHED_PHASES and owner.kind not in _RUN_TO_COMPLETION


def _pod_workloads(cluster: str, pod: KubeObject, owner: TopOwner) -> Iterator[Workload]:
    labels = owner.labels if owner.labels is not None else labels_of(pod)
    for container_kind, name, image, running in _containers(pod):
        yield Workload(
            cluster=cluster,
            namespace=text_at(pod, "metadata", "namespace"),
            kind=owner.kind,
            name=owner.name,
            container=name,
            image=image,
            digest=running.digest,
            container_kind=container_kind,
            image_id=running.image_id,
            labels=labels,
            digest_reason=running.reason,
            owner_inferred=owner.inferred,
        )


def _containers(pod: KubeObject) -> Iterator[tuple[ContainerKind, str, str, RunningImage]]:
    """Every container the spec declares or a status reports, with what it runs."""
    for container_kind, spec_key, status_key in _SECTIONS:
        specs = {text_at(spec, "name"): spec for spec in objects_at(pod, "spec", spec_key)}
        statuses = {text_at(status, "name"): status for status in objects_at(pod, "status", status_key)}
        for name in dict.fromkeys([*specs, *statuses]):
            status = statuses.get(name)
            image = text_at(specs.get(name, {}), "image") or text_at(status or {}, "image")
            yield container_kind, name, image, _running(status)


def _running(status: KubeObject | None) -> RunningImage:
    if status is None:
        return RunningImage(None, None, "no container status yet (the pod is not scheduled or still starting)")
    running = parse_image_id(text_at(status, "imageID"))
    if running.reason != NOT_STARTED:
        return running
    waiting = text_at(mapping_at(status, "state", "waiting"), "reason")
    return replace(running, reason=f"{NOT_STARTED} (waiting: {waiting})") if waiting else running


def _order(workload: Workload) -> tuple[str, ...]:
    return (
        workload.namespace,
        workload.kind,
        workload.name,
        workload.container_kind,
        workload.container,
        workload.digest or "",
        workload.image_id or "",
    )
