"""Results of the quarantine gate and of promotions: what was scanned, what decided, what was copied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

PASSED = "Passed"
FAILED = "Failed"
"""ACR's two quarantine states, spelled as its API spells them."""


@dataclass(frozen=True)
class ImageGate:
    """The scan gate for one image manifest (one platform of an index)."""

    digest: str
    platform: str | None
    counts: Mapping[str, int] = field(default_factory=dict)
    """Severity (`critical` … `info`) → findings that count (shown and not suppressed)."""
    failing: int = 0
    """Findings at or above `--fail-on`."""
    warnings: tuple[str, ...] = ()
    error: str | None = None
    """Why the image could not be scanned; an unscanned image never passes."""

    @property
    def passed(self) -> bool:
        return self.error is None and self.failing == 0


@dataclass(frozen=True)
class Condition:
    """A further condition of the gate (registry posture); `passed` None means it could not be evaluated."""

    name: str
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class GateResult:
    """The whole gate: every image of the pushed manifest, and the further conditions; passes only when all do."""

    fail_on: str | None
    images: tuple[ImageGate, ...]
    conditions: tuple[Condition, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    """(digest, why) of manifests not scanned because they are no runnable image (attestations, artifacts)."""

    @property
    def passed(self) -> bool:
        images_pass = bool(self.images) and all(image.passed for image in self.images)
        return images_pass and all(condition.passed is True for condition in self.conditions)

    @property
    def state(self) -> str:
        return PASSED if self.passed else FAILED

    def reasons(self) -> tuple[str, ...]:
        """Why the gate failed, one line per cause; empty when it passed."""
        found: list[str] = []
        if not self.images:
            found.append("no runnable image in the manifest to scan")
        for image in self.images:
            label = image.platform or image.digest
            if image.error is not None:
                found.append(f"{label}: could not be scanned: {image.error}")
            elif image.failing:
                found.append(f"{label}: {image.failing} finding(s) at or above {self.fail_on}")
        for condition in self.conditions:
            if condition.passed is not True:
                state = "could not be evaluated" if condition.passed is None else "failed"
                found.append(f"{condition.name} {state}: {condition.detail}")
        return tuple(found)


@dataclass(frozen=True)
class QuarantineCheck:
    """One pushed manifest held by ACR's quarantine, and what the worker did with it (the durable record)."""

    id: int
    registry: str
    repository: str
    digest: str
    tag: str | None
    status: str
    """`pending` (received, not yet decided), `decided` (state known, not yet set in ACR), `reported` (set)."""
    received_at: datetime
    state: str | None = None
    """Passed or Failed, once decided."""
    reasons: tuple[str, ...] = ()
    details: str | None = None
    """The `quarantineDetails` JSON string sent to ACR."""
    attempts: int = 0
    last_error: str | None = None
    decided_at: datetime | None = None
    reported_at: datetime | None = None
    next_attempt_at: datetime | None = None
    running: bool = False
    """A worker holds it right now (its claim has not expired)."""


@dataclass(frozen=True)
class CopyCounts:
    manifests: int = 0
    blobs_present: int = 0
    blobs_mounted: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    blobs_foreign: int = 0


@dataclass(frozen=True)
class CopiedReferrer:
    """A signature, SBOM or attestation of a promoted manifest, copied with its digest to the destination."""

    subject: str
    """The manifest it refers to (the promoted image, one of its platform manifests, or another referrer)."""
    digest: str
    artifact_type: str | None
    found_by: str
    """`referrers` (the referrers API or its `sha256-<hex>` tag schema) or `cosign-tag` (`sha256-<hex>.sig` …)."""
    tag: str | None = None
    """The cosign tag it was copied under; referrers are copied by digest."""


@dataclass(frozen=True)
class PromoteReport:
    """`promote SRC DST`: the gate (when required) and the copy; `copied` False when the gate stopped it."""

    source: str
    destination: str
    digest: str
    media_type: str
    gate: GateResult | None
    copied: bool
    counts: CopyCounts = CopyCounts()
    destination_digest: str | None = None
    """What the destination answers for the promoted reference afterwards: always `digest`, or an error is raised."""
    referrers: tuple[CopiedReferrer, ...] | None = None
    """The referrers copied after the image; None when none were looked for (`--no-referrers`, or not promoted)."""
