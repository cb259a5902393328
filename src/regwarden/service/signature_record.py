"""Record what `verify` found, so the dashboard can show an image's signatures without calling a registry.

One record per image digest, repository and policy file (the newest replaces the one before), with the referrers
listed at the same time. The policy file is named and hashed: a page can say which version of it decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.signatures import RecordedReferrer, RecordedSignature, RecordedVerification
from regwarden.model.trust import AttachedArtifact, CheckOutcome, SignatureVerdict, VerificationResult

if TYPE_CHECKING:
    from regwarden.store import Store

MAX_ANNOTATIONS = 6
MAX_ANNOTATION_CHARS = 120
"""A notation chain's thumbprints or a cosign bundle would fill the page: a summary is kept, the registry has all."""


def record_verification(
    store: Store,
    result: VerificationResult,
    repository: str,
    attached: Sequence[AttachedArtifact],
    policy_file: Path,
    now: datetime | None = None,
) -> RecordedVerification:
    """Store the verification of `result.digest` in `repository` (`registry/repository`) and what is attached."""
    moment = now or datetime.now(UTC)
    referrers = [referrer(result.digest, repository, item, moment) for item in attached]
    verification = RecordedVerification(
        subject=result.digest,
        repository=repository,
        policy=policy_file.name,
        policy_sha256="sha256:" + hashlib.sha256(policy_file.read_bytes()).hexdigest(),
        statements=result.policy,
        reference=result.reference,
        passed=result.passed,
        skipped=result.skipped,
        reason=result.reason.value if result.reason else None,
        message=result.message,
        verified_at=moment,
        signatures=tuple(signature(verdict) for verdict in result.verdicts),
    )
    store.signatures.record(referrers, verification)
    return verification


def referrer(subject: str, repository: str, item: AttachedArtifact, seen_at: datetime) -> RecordedReferrer:
    return RecordedReferrer(
        subject=subject,
        repository=repository,
        digest=item.digest,
        artifact_type=item.artifact_type,
        media_type=item.media_type,
        size=item.size,
        created=item.created,
        seen_at=seen_at,
        annotations=annotation_summary(item.annotations),
        # The tag schema is the referrers API's fallback: to a reader both are "referrers".
        source="cosign-tag" if item.source == "cosign-tag" else "referrers",
        tag=item.tag,
    )


def signature(verdict: SignatureVerdict) -> RecordedSignature:
    return RecordedSignature(
        kind=verdict.kind,
        artifact_digest=verdict.artifact_digest,
        passed=verdict.passed,
        reason=verdict.reason.value if verdict.reason else None,
        detail=_detail(verdict),
        signer=verdict.signer,
        issuer=verdict.issuer,
        statement=verdict.policy,
        signed_at=verdict.signed_at,
    )


def annotation_summary(annotations: Mapping[str, str]) -> dict[str, str]:
    """The first few annotations by name, each value cut to a readable length."""
    names = sorted(annotations)[:MAX_ANNOTATIONS]
    return {name: _cut(annotations[name]) for name in names}


def _detail(verdict: SignatureVerdict) -> str:
    """Why it failed (the enforced failure, else the first with a reason), or who the authenticity check trusts."""
    if not verdict.passed:
        failing = [c for c in verdict.checks if c.outcome is CheckOutcome.FAILED] or [
            c for c in verdict.checks if c.reason is not None
        ]
        return failing[0].detail if failing else ""
    trusted = [c.detail for c in verdict.checks if c.name == "authenticity" and c.outcome is CheckOutcome.PASSED]
    return trusted[0] if trusted else ""


def _cut(value: str) -> str:
    return value if len(value) <= MAX_ANNOTATION_CHARS else value[: MAX_ANNOTATION_CHARS - 1] + "…"
