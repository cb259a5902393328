"""What runs where: containers of Kubernetes workloads and the image digests they run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ContainerKind(StrEnum):
    CONTAINER = "container"
    INIT = "init"
    EPHEMERAL = "ephemeral"


class Environment(StrEnum):
    PRODUCTION = "production"
    NON_PRODUCTION = "non-production"


@dataclass(frozen=True)
class Workload:
    """One container of one workload in one cluster, and the digest it runs.

    Pods are folded into the top-level owner (Deployment, StatefulSet, DaemonSet, CronJob, Job); a pod with no
    owner is its own workload (kind `Pod`). Several pods of one Deployment give one Workload per container
    and running digest (two digests while a rollout is under way).
    """

    cluster: str
    namespace: str
    kind: str
    """Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet (no Deployment above it), Pod, ..."""
    name: str
    container: str
    image: str
    """The image reference as the pod spec writes it (`myreg.azurecr.io/web:1.4`)."""
    digest: str | None
    """The running manifest digest (`sha256:…`) from the container status `imageID`; None when unknown."""
    container_kind: ContainerKind = ContainerKind.CONTAINER
    image_id: str | None = None
    """The container status `imageID` exactly as the kubelet reported it."""
    labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Labels of the top-level workload object (else of the pod)."""
    pods: int = 1
    """How many pods of this workload run this container with this digest."""
    digest_reason: str | None = None
    """Why `digest` is None: container not started, or `imageID` names a local image (config digest), not a manifest."""
    owner_inferred: str | None = None
    """How `kind` and `name` were inferred when an owner object could not be read (None when every owner was read)."""


@dataclass(frozen=True)
class CollectionGap:
    """Something the collector could not read (403 on a namespace, an unreadable owner): recorded, not fatal."""

    scope: str
    """What was not read: `namespace/payments`, `replicasets/payments/web-7d4`, `cluster`."""
    reason: str


@dataclass(frozen=True)
class ClusterSnapshot:
    """Everything read from one cluster at one moment."""

    cluster: str
    workloads: tuple[Workload, ...]
    gaps: tuple[CollectionGap, ...] = ()
    collected_at: datetime | None = None


@dataclass(frozen=True)
class EnvironmentDecision:
    """Which environment a workload is in, and the rule that decided it (every report shows the rule)."""

    environment: Environment
    rule: str
    """E.g. `namespace 'payments-dev' contains the word 'dev'` or `config: label env=prod`."""
