"""`regwarden drift`: where what runs has drifted from what the registries and the advisory data say.

Four lists, each about running workloads as of their cluster's last sync: digests no synced registry knows, tags
that moved since the workload started, fixable critical/high findings nobody triaged, and images never scanned or
matched against stale advisory data. Result types only: service/drift.py fills them, report/drift_* render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regwarden.model.inventory import RunningWorkload, TriageDecision

UNKNOWN = "unknown"
MOVED = "moved"
FIXABLE = "fixable"
STALE = "stale"
DRIFT_KINDS: tuple[str, ...] = (UNKNOWN, MOVED, FIXABLE, STALE)


@dataclass(frozen=True)
class UnknownDigest:
    """A running digest that no synced registry holds."""

    workload: RunningWorkload
    reason: str
    """`deleted from …` when a synced registry held it once, else why no registry is expected to know it."""


@dataclass(frozen=True)
class MovedTag:
    """A workload whose image reference names a tag that now points at another digest (or no longer exists)."""

    workload: RunningWorkload
    repository: str
    """`registry/repository`."""
    tag: str
    current_digest: str | None
    """None when the tag was deleted."""
    moved_at: datetime | None
    """When the tag left the running digest, when the tag history knows it pointed there."""


@dataclass(frozen=True)
class FixableFinding:
    """An open finding with a known fix in an image that runs, and the workloads that run it."""

    image_digest: str
    image: str
    workloads: tuple[RunningWorkload, ...]
    vuln_id: str
    aliases: tuple[str, ...]
    package: str
    version: str
    severity: str
    fixed: tuple[str, ...]
    triage: TriageDecision | None = None
    """The decision that covers it; triaged findings are listed apart and never count as drift."""


@dataclass(frozen=True)
class StaleImage:
    """A running image that was never scanned, or was last matched against advisory data older than allowed."""

    running_digest: str
    workloads: tuple[RunningWorkload, ...]
    kind: str
    """`failed` (could not be read), `not catalogued`, `never matched` (no advisory data then) or `stale`."""
    detail: str
    matched_against: datetime | None = None
    """The advisory database's update time the image's findings rest on."""


@dataclass(frozen=True)
class NotEvaluated:
    """Something drift could not judge, and why (it is never counted as "no drift")."""

    subject: str
    reason: str


@dataclass(frozen=True)
class DriftReport:
    generated_at: datetime
    max_db_age_days: float
    severities: tuple[str, ...]
    unknown: tuple[UnknownDigest, ...]
    moved: tuple[MovedTag, ...]
    fixable: tuple[FixableFinding, ...]
    """Untriaged and triaged alike: see `fixable_open` and `fixable_triaged`."""
    stale: tuple[StaleImage, ...]
    not_evaluated: tuple[NotEvaluated, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def fixable_open(self) -> tuple[FixableFinding, ...]:
        return tuple(item for item in self.fixable if item.triage is None)

    @property
    def fixable_triaged(self) -> tuple[FixableFinding, ...]:
        return tuple(item for item in self.fixable if item.triage is not None)

    @property
    def counts(self) -> dict[str, int]:
        """Entries per kind of drift (triaged findings excluded)."""
        return {
            UNKNOWN: len(self.unknown),
            MOVED: len(self.moved),
            FIXABLE: len(self.fixable_open),
            STALE: len(self.stale),
        }

    def drifted(self, kinds: tuple[str, ...] = DRIFT_KINDS) -> bool:
        counts = self.counts
        return any(counts[kind] for kind in kinds)
