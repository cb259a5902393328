"""Read a live cluster through the official `kubernetes` client and the user's kubeconfig.

Order of steps: open the kubeconfig context (its cluster names the snapshot unless a name is given), list pods in
all namespaces, then the ReplicaSets and Jobs the pods point at, and hand both to the same adapter as `--from`.

Failure rule: a 403 is a gap, never a failure. Cluster-wide pods forbidden → pods are listed namespace by namespace
(every namespace the identity may list, else the context's own namespace), and each forbidden namespace is a
CollectionGap while the rest is collected. Owners forbidden cluster-wide → per namespace; a forbidden namespace
is a gap and its owners are inferred where the naming is documented (owners.py). 401 → AuthError; no answer →
UnreachableError; a kubeconfig that cannot be read → BadInputError; an unknown context → NotFoundError.
`kubernetes` is imported only here, inside functions, so the CLI starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from regwarden.collect.kubernetes.fields import KubeObject, text_at
from regwarden.collect.kubernetes.kubeconfig import KubeSession, open_session
from regwarden.collect.kubernetes.live_lists import Forbidden, ListCall, list_items
from regwarden.collect.kubernetes.owners import WALKED_KINDS, controller_of
from regwarden.collect.kubernetes.pods import workloads_from_objects
from regwarden.model.errors import AuthError
from regwarden.model.workload import ClusterSnapshot, CollectionGap

Progress = Callable[[str], None]


@dataclass(frozen=True)
class _Resource:
    kind: str
    plural: str
    everywhere: ListCall
    per_namespace: Callable[[str], ListCall]


@dataclass
class _Reader:
    resources: dict[str, _Resource]
    page_size: int
    timeout: float
    progress: Progress
    gaps: list[CollectionGap]

    def everywhere(self, kind: str) -> list[KubeObject]:
        resource = self.resources[kind]
        return list_items(resource.everywhere, kind, page_size=self.page_size, timeout=self.timeout)

    def in_namespaces(self, kind: str, namespaces: list[str]) -> list[KubeObject]:
        """`kind` in each namespace in turn; a forbidden namespace is a gap."""
        resource, found = self.resources[kind], []
        for namespace in namespaces:
            self.progress(f"listing {resource.plural} in namespace {namespace}")
            call = resource.per_namespace(namespace)
            try:
                found.extend(list_items(call, kind, page_size=self.page_size, timeout=self.timeout))
            except Forbidden as exc:
                self.gaps.append(CollectionGap(_scope(resource, namespace), f"403 Forbidden: {exc}"))
        return found


def collect_cluster(
    context: str | None = None,
    cluster_name: str | None = None,
    *,
    kubeconfig: Path | None = None,
    page_size: int = 500,
    timeout: float = 30.0,
    on_progress: Progress | None = None,
) -> ClusterSnapshot:
    """Everything running in the cluster of kubeconfig context `context` (None: the current context).

    `cluster_name` names the snapshot (default: the context's cluster name); `kubeconfig` defaults to `$KUBECONFIG`
    or `~/.kube/config`. `page_size` is the `limit` of each list page, `timeout` bounds each request in seconds.
    """
    session = open_session(context, kubeconfig)
    collected_at = datetime.now(UTC)
    reader = _Reader(_resources(session.client), page_size, timeout, on_progress or (lambda _m: None), [])
    try:
        reader.progress(f"listing pods in cluster {session.cluster} (context {session.context})")
        pods = _pods(reader, session)
        owners = [obj for kind in WALKED_KINDS for obj in _owners(reader, kind, pods)]
    finally:
        session.client.close()
    cluster = cluster_name or session.cluster
    workloads, owner_gaps = workloads_from_objects(cluster, pods, owners)
    return ClusterSnapshot(cluster, workloads, (*reader.gaps, *owner_gaps), collected_at)


def _pods(reader: _Reader, session: KubeSession) -> list[KubeObject]:
    try:
        return reader.everywhere("Pod")
    except Forbidden as exc:
        reader.progress(f"pods cannot be listed cluster-wide ({exc}); listing namespace by namespace")
        return reader.in_namespaces("Pod", _namespaces(reader, session, str(exc)))


def _namespaces(reader: _Reader, session: KubeSession, why_not_cluster_wide: str) -> list[str]:
    try:
        return [text_at(ns, "metadata", "name") for ns in reader.everywhere("Namespace")]
    except Forbidden as exc:
        if session.namespace is None:
            raise AuthError(
                f"may neither list pods cluster-wide ({why_not_cluster_wide}) nor list namespaces ({exc}); "
                "set a namespace on the kubeconfig context to read that namespace alone"
            ) from None
        scope = f"cluster/{session.cluster}"
        reader.gaps.append(CollectionGap(scope, f"only namespace {session.namespace} was read: {exc}"))
        return [session.namespace]


def _owners(reader: _Reader, kind: str, pods: list[KubeObject]) -> list[KubeObject]:
    """The `kind` objects (ReplicaSets, Jobs) of the namespaces whose pods are controlled by one."""
    namespaces = sorted({text_at(pod, "metadata", "namespace") for pod in pods if _controlled_by(pod, kind)})
    if not namespaces:
        return []
    try:
        return reader.everywhere(kind)
    except Forbidden:
        return reader.in_namespaces(kind, namespaces)


def _controlled_by(pod: KubeObject, kind: str) -> bool:
    controller = controller_of(pod)
    return controller is not None and controller.kind == kind


def _scope(resource: _Resource, namespace: str) -> str:
    return f"namespace/{namespace}" if resource.kind == "Pod" else f"{resource.plural}/{namespace}"


def _resources(client: Any) -> dict[str, _Resource]:
    from kubernetes.client import AppsV1Api, BatchV1Api, CoreV1Api

    core, apps, batch = CoreV1Api(client), AppsV1Api(client), BatchV1Api(client)
    return {
        "Pod": _Resource(
            "Pod", "pods", core.list_pod_for_all_namespaces, lambda ns: partial(core.list_namespaced_pod, ns)
        ),
        "Namespace": _Resource("Namespace", "namespaces", core.list_namespace, lambda ns: core.list_namespace),
        "ReplicaSet": _Resource(
            "ReplicaSet",
            "replicasets",
            apps.list_replica_set_for_all_namespaces,
            lambda ns: partial(apps.list_namespaced_replica_set, ns),
        ),
        "Job": _Resource(
            "Job", "jobs", batch.list_job_for_all_namespaces, lambda ns: partial(batch.list_namespaced_job, ns)
        ),
    }
