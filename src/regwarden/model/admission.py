"""Admission decisions: the images a Kubernetes object would run, what each check found, and the answer.

An `AdmissionRequest` is what the API server asked about (read from an AdmissionReview by
collect/kubernetes/admission_review.py); `ImageFacts` is what was learnt about one image (its digest, its
signature verification, its open findings, its quarantine record); an `ImageVerdict` is the policy's judgement of
one image, check by check; an `AdmissionDecision` is the answer for the whole object. Every denial names a
`DenyReason`, a stable code webhooks and log queries can match, and a sentence a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from regwarden.model.trust import VerificationResult
from regwarden.model.workload import ContainerKind


class AdmissionMode(StrEnum):
    ENFORCE = "enforce"
    """Deny what the policy refuses."""
    AUDIT = "audit"
    """Allow everything; what would have been denied comes back as warnings (and is logged)."""


class DenyReason(StrEnum):
    """Why an image was refused. Stable names: webhooks, alerts and log queries match them."""

    BAD_REFERENCE = "bad-reference"
    REGISTRY_NOT_ALLOWED = "registry-not-allowed"
    NOT_PINNED = "not-pinned"
    UNSIGNED = "unsigned"
    """No signature is attached at all."""
    UNTRUSTED_SIGNATURE = "untrusted-signature"
    """Signatures are attached but none satisfies the trust policy (the verifier's reason says which check)."""
    FINDINGS_ABOVE_THRESHOLD = "findings-above-threshold"
    NOT_SCANNED = "not-scanned"
    """The inventory has no findings for the image, and it could not (or may not) be scanned now."""
    QUARANTINE_NOT_PASSED = "quarantine-not-passed"
    ERROR = "error"
    """The decision could not be made (registry unreachable, timeout, database): the failure policy decides."""


class CheckName(StrEnum):
    REGISTRY = "registry"
    PINNING = "pinning"
    SIGNATURE = "signature"
    FINDINGS = "findings"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class ImageUse:
    """One container of the object and the image it names, as written in the spec."""

    image: str
    container: str
    container_kind: ContainerKind = ContainerKind.CONTAINER


@dataclass(frozen=True)
class AdmissionRequest:
    """What the API server asks about: one object, and the images its pods would run."""

    uid: str
    kind: str
    """`Pod`, `Deployment`, `CronJob`, … (request.kind.kind)."""
    namespace: str
    name: str
    """metadata.name, or metadata.generateName for objects the API server names (pods of a ReplicaSet)."""
    operation: str
    username: str = ""
    dry_run: bool = False
    api_version: str = "admission.k8s.io/v1"
    images: tuple[ImageUse, ...] = ()
    """The containers to check. On UPDATE, only those whose image the old object did not already run."""
    unchanged: int = 0
    """Containers left unchecked on UPDATE because the old object already ran the same image."""

    @property
    def object_label(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}".strip()


@dataclass(frozen=True)
class UntriagedFinding:
    """An open, untriaged vulnerability of one package in the image (what the findings check counts)."""

    vuln_id: str
    severity: str
    package: str


@dataclass(frozen=True)
class ImageFacts:
    """What was learnt about one image by digest; a check the policy does not ask for is left None."""

    reference: str
    """`registry/repository@digest`: what every check looked at."""
    digest: str
    resolved_from: str | None = None
    """The tag resolved to `digest` through the registry, when the spec named a tag."""
    verification: VerificationResult | None = None
    findings: tuple[UntriagedFinding, ...] | None = None
    """Open findings not covered by a triage decision; None when the findings check is off."""
    findings_source: str = ""
    """`inventory` (already catalogued) or `scan` (catalogued now, on a miss)."""
    not_scanned: str | None = None
    """Why the image has no findings to judge (not in the inventory and no scan), when that is so."""
    quarantine_state: str | None = None
    """`Passed`, `Failed`, or the record's status (`pending`) when not yet decided; None when no record exists."""
    quarantine_checked: bool = False


@dataclass(frozen=True)
class ImageCheck:
    name: CheckName
    passed: bool
    detail: str
    reason: DenyReason | None = None


@dataclass(frozen=True)
class ImageVerdict:
    """The policy's judgement of one image: every check that ran, or the error that stopped the decision."""

    image: str
    """As written in the spec."""
    reference: str
    """Normalised, with the digest when it is known (`registry/repository@sha256:…`)."""
    digest: str | None = None
    checks: tuple[ImageCheck, ...] = ()
    error: str | None = None
    resolved_from: str | None = None
    cached: bool = False

    @property
    def allowed(self) -> bool:
        return self.error is None and all(check.passed for check in self.checks)

    @property
    def failed_checks(self) -> tuple[ImageCheck, ...]:
        return tuple(check for check in self.checks if not check.passed)

    @property
    def reasons(self) -> tuple[DenyReason, ...]:
        found = [check.reason or DenyReason.ERROR for check in self.failed_checks]
        return (*found, DenyReason.ERROR) if self.error is not None else tuple(found)


@dataclass(frozen=True)
class AdmissionDecision:
    """The answer for one AdmissionReview: allowed or not, the message a user sees, warnings, and the evidence."""

    uid: str
    allowed: bool
    mode: AdmissionMode
    verdicts: tuple[ImageVerdict, ...] = ()
    message: str = ""
    """Why the object was denied (shown by kubectl); empty when allowed."""
    warnings: tuple[str, ...] = ()
    failed_open: bool = False
    """An error or timeout let the object through because the failure policy is Ignore."""
    error: str | None = None
    """The decision as a whole could not be made (the deadline passed before every image was judged)."""
    elapsed_ms: float = 0.0

    @property
    def would_deny(self) -> bool:
        """True when the policy refused something (denied in enforce mode, warned in audit mode)."""
        return self.error is not None or any(not verdict.allowed for verdict in self.verdicts)
