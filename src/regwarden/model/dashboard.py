"""What the dashboard and the API lists show: each image's and each vulnerability's risk, computed together.

Result types only; service/risk_summary.py fills them from the store in one pass, and the server keeps the last
snapshot, so a list sorted by risk over ten thousand images is a sort in memory, not a join per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from regwarden.model.history import BuildStep, FindingDelta
from regwarden.model.inventory import ImageName, RunningWorkload
from regwarden.model.sbom import Package
from regwarden.model.signatures import ImageSignatures

SEVERITIES = ("critical", "high", "medium", "low", "info")
RISK_WEIGHTS = {"critical": 100, "high": 20, "medium": 5, "low": 1, "info": 0}
"""Risk = Σ weight × open untriaged-or-not findings; running in production doubles it (sorting only)."""


@dataclass(frozen=True)
class ImageRisk:
    digest: str
    name: str
    """How to name it: `registry/repository:tag` when it has a place, else the digest."""
    registry: str | None
    repository: str | None
    tags: tuple[str, ...]
    status: str
    created: str | None
    catalogued_at: datetime
    packages: int
    findings: dict[str, int] = field(default_factory=dict)
    fixable: int = 0
    running: int = 0
    production: int = 0
    total: int = 0
    """Open findings, every severity."""
    worst: int = -1
    """Rank (model.finding.Severity.rank) of the worst open finding; -1 without any."""
    risk: int = 0
    """Σ RISK_WEIGHTS × findings, doubled when it runs in production: the default order of the image list."""


def image_risk_fields(findings: dict[str, int], production: int, ranks: dict[str, int]) -> tuple[int, int, int]:
    """(total, worst, risk) of an image's open findings by severity."""
    total = sum(findings.values())
    worst = max((ranks.get(severity, 0) for severity, count in findings.items() if count), default=-1)
    base = sum(RISK_WEIGHTS.get(severity, 1) * count for severity, count in findings.items())
    return total, worst, base * 2 if production else base


@dataclass(frozen=True)
class VulnerabilityRisk:
    id: str
    severity: str
    summary: str | None
    cvss_score: float | None
    packages: tuple[str, ...] = ()
    images: int = 0
    rank: int = 0
    """model.finding.Severity.rank of `severity`."""
    fixable: bool = False
    first_seen: datetime | None = None
    running: int = 0
    production: int = 0


@dataclass(frozen=True)
class ExposedWorkload:
    """A running production workload with open exposures (the overview's "affected now")."""

    id: int
    cluster: str
    namespace: str
    kind: str
    name: str
    exposures: int
    example: str
    """One of its vulnerabilities (the first by id), to link to."""


@dataclass(frozen=True)
class RiskSnapshot:
    computed_at: datetime
    seconds: float
    """How long computing it took."""
    images: tuple[ImageRisk, ...]
    vulnerabilities: tuple[VulnerabilityRisk, ...]
    by_digest: dict[str, ImageRisk]
    by_vulnerability: dict[str, VulnerabilityRisk]
    trend: tuple[tuple[date, dict[str, int]], ...] = ()
    """Open package findings by severity at the end of each of the last days, oldest first."""
    exposed: tuple[ExposedWorkload, ...] = ()
    """The most exposed production workloads (ten)."""
    exposed_total: int = 0
    """Production workloads with an open exposure."""

    @cached_property
    def severity_totals(self) -> dict[str, int]:
        """Open findings (image × package × vulnerability) by severity, across the inventory (counted once)."""
        totals = dict.fromkeys(SEVERITIES, 0)
        for image in self.images:
            for severity, count in image.findings.items():
                totals[severity] = totals.get(severity, 0) + count
        return totals


@dataclass(frozen=True)
class ImageDetail:
    """One image as its page shows it: catalog facts, layers, packages (each with the layer that added it),
    open findings with fix versions and triage, where it lives, who runs it, the step from its tag's
    previous build, and its recorded signatures."""

    digest: str
    status: str
    source: str
    catalogued_at: datetime
    error: str | None = None
    media_type: str | None = None
    platform: str | None = None
    created: str | None = None
    os: str | None = None
    config: dict[str, object] = field(default_factory=dict)
    layers: tuple[dict[str, object], ...] = ()
    unknowns: int = 0
    places: tuple[ImageName, ...] = ()
    running: tuple[RunningWorkload, ...] = ()
    packages: tuple[Package, ...] = ()
    findings: tuple[FindingDelta, ...] = ()
    previous: BuildStep | None = None
    """The step from the previous build of its first tag (None without a tag)."""
    previous_tag: str | None = None
    signatures: ImageSignatures = field(default_factory=ImageSignatures)
    """Recorded signatures and verifications (`verify --record`); nothing recorded: not checked."""
