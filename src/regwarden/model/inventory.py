"""What the inventory answers: images and where they live, which workloads run them, what is affected.

Result types only; the store's queries (store/impact.py) fill them and report/ renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True)
class ImageName:
    """One place an image lives: a registry, a repository, and the tags that point at it now."""

    registry: str
    repository: str
    tags: tuple[str, ...] = ()

    def reference(self, digest: str | None = None) -> str:
        """`registry/repo:tag` for the first tag, else `registry/repo@digest`."""
        base = f"{self.registry}/{self.repository}"
        if self.tags:
            return f"{base}:{self.tags[0]}"
        return f"{base}@{digest}" if digest else base


@dataclass(frozen=True)
class RunningWorkload:
    """A container that runs an image now, as of its cluster's last sync."""

    cluster: str
    namespace: str
    kind: str
    name: str
    container: str
    image: str
    """The image reference the pod spec names."""
    digest: str
    """The digest it runs (an index digest when the kubelet reported one)."""
    environment: str
    environment_rule: str
    pods: int = 1


@dataclass(frozen=True)
class ComponentHit:
    """A package in a catalogued image, as a query found it."""

    digest: str
    image: str
    """How to name the image: a current tag when there is one (see ImageName.reference)."""
    package: str
    version: str
    type: str
    purl: str
    layer_index: int | None = None
    fixed: tuple[str, ...] = ()
    severity: str | None = None


class TriageState(StrEnum):
    NOT_AFFECTED = "not_affected"
    FALSE_POSITIVE = "false_positive"
    ACCEPTED = "accepted"
    FIXED = "fixed"


class TriageScope(StrEnum):
    IMAGE = "image"
    REPOSITORY = "repository"
    ALL = "all"


@dataclass(frozen=True)
class TriageDecision:
    """A person's word on one vulnerability, for one image, one repository or everywhere; kept with who and when."""

    vuln_id: str
    scope: TriageScope
    target: str
    """A digest, `registry/repository`, or empty for every image."""
    state: TriageState
    reason: str
    author: str
    created_at: datetime
    package: str = ""
    """Only this package (name), or empty for every package."""
    expires: date | None = None


@dataclass(frozen=True)
class ImpactRow:
    """One affected package in one image, with the workloads running it (empty when none runs)."""

    component: ComponentHit
    running: tuple[RunningWorkload, ...]
    triage: TriageDecision | None = None


@dataclass(frozen=True)
class Exposure:
    """A running production workload whose image holds a package with an open finding."""

    workload_id: int
    workload: RunningWorkload
    vuln_id: str
    package_id: int
    component: ComponentHit

    @property
    def key(self) -> tuple[int, str, int, str]:
        return (self.workload_id, self.vuln_id, self.package_id, self.component.digest)


@dataclass(frozen=True)
class AffectedReport:
    """`regwarden affected ID`: which running workloads and catalogued images a vulnerability affects."""

    query: str
    vulnerability_id: str
    aliases: tuple[str, ...]
    summary: str | None
    rows: tuple[ImpactRow, ...]
    known: bool = True
    """False when no finding and no advisory answers to the id."""

    @property
    def running(self) -> list[tuple[RunningWorkload, ImpactRow]]:
        """Untriaged (workload, row) pairs, production first."""
        pairs = [(w, row) for row in self.rows if row.triage is None for w in row.running]
        return sorted(pairs, key=lambda pair: (pair[0].environment != "production", _workload_key(pair[0])))

    @property
    def not_running(self) -> list[ImpactRow]:
        return [row for row in self.rows if row.triage is None and not row.running]

    @property
    def triaged(self) -> list[ImpactRow]:
        return [row for row in self.rows if row.triage is not None]

    @property
    def production_affected(self) -> bool:
        return any(workload.environment == "production" for workload, _ in self.running)


@dataclass(frozen=True)
class InventoryImage:
    """One catalogued (or failed) image: where it lives, what it holds, what it is exposed to, who runs it."""

    digest: str
    status: str
    """`catalogued`, or `failed` (then `error` says why)."""
    places: tuple[ImageName, ...]
    created: str | None
    platform: str | None
    packages: int
    findings: dict[str, int]
    """Open findings by severity (untriaged and triaged alike: triage is shown where decisions are made)."""
    running: tuple[RunningWorkload, ...]
    catalogued_at: datetime
    error: str | None = None


@dataclass(frozen=True)
class WhereReport:
    """`regwarden where PACKAGE[@RANGE]`: every image holding a package, and where each runs."""

    query: str
    rows: tuple[ImpactRow, ...]
    unordered_versions: tuple[str, ...] = field(default=())
    """Versions the range could not be compared with (the ecosystem rejects them): listed, never dropped."""


def _workload_key(workload: RunningWorkload) -> tuple[str, ...]:
    return (workload.cluster, workload.namespace, workload.kind, workload.name, workload.container, workload.digest)


@dataclass(frozen=True)
class Event:
    """One stored event (`workload.affected`, `workload.resolved`) and the state of its deliveries."""

    id: int
    kind: str
    created_at: datetime
    summary: str
    payload: dict[str, object]
    deliveries: tuple[tuple[str, str, int], ...] = ()
    """(endpoint, status, attempts) of each delivery."""
