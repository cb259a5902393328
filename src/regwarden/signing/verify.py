"""Judge an image's signatures against a verification policy: pure, over artifacts already fetched.

The rule (the Notary Project's, applied to cosign as well): the image passes when at least one signature
satisfies the policy that applies to its repository. No applicable policy fails; a `skip` policy passes
without verifying (and says so); no signature at all fails. Every signature found is reported, judged or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from regwarden.model.image import Descriptor
from regwarden.model.trust import Check, CheckOutcome, FailureReason, SignatureVerdict, VerificationResult
from regwarden.signing.cosign import CosignRule, verify_simplesigning
from regwarden.signing.envelope import COSE_MEDIA_TYPE
from regwarden.signing.notation import NotationContext, verify_notation
from regwarden.signing.policy import VerificationPolicy
from regwarden.signing.revocation import CrlFetcher, CrlRevocation
from regwarden.signing.sigstore_bundle import verify_bundle

NOTATION = "notation"
COSIGN = "cosign"
SIGSTORE_BUNDLE = "sigstore-bundle"


@dataclass(frozen=True)
class SignatureArtifact:
    """One fetched signature: the envelope (Notation), payload (cosign) or bundle (Sigstore) and its context."""

    kind: str
    digest: str
    """The digest of the signature artifact's manifest."""
    media_type: str
    """The media type of `blob`: `application/jose+json`, `application/cose`, the simplesigning type, …"""
    blob: bytes
    annotations: Mapping[str, str] = field(default_factory=dict)
    """The layer's annotations: cosign keeps its signature, certificate and Rekor bundle there."""


@dataclass(frozen=True)
class ImageSubject:
    reference: str
    repository_uri: str
    """`registry/repository`, as trust policy scopes name it."""
    descriptor: Descriptor
    """The signed manifest: media type, digest and size, exactly as signatures must name it."""


def verify_signatures(
    subject: ImageSubject,
    artifacts: Sequence[SignatureArtifact],
    policy: VerificationPolicy,
    *,
    now: datetime | None = None,
    fetch_crl: CrlFetcher | None = None,
) -> VerificationResult:
    moment = now or datetime.now(UTC)
    statement = policy.notation.select(subject.repository_uri) if policy.notation else None
    rules = tuple(rule for rule in policy.cosign if rule.applies_to(subject.repository_uri))
    names = ", ".join([*([statement.name] if statement else []), *(rule.name for rule in rules)])
    if statement is None and not rules:
        return _result(subject, False, (), FailureReason.NO_APPLICABLE_POLICY, "no policy applies to this repository")
    if statement is not None and statement.level == "skip":
        return VerificationResult(
            subject.reference,
            subject.descriptor.digest,
            True,
            (),
            None,
            f"policy {statement.name} skips it",
            names,
            True,
        )
    revocation = CrlRevocation.from_bytes(policy.crls, fetch_crl if policy.fetch_crls else None)
    notation = NotationContext(statement, policy.trust_store, revocation, moment) if statement else None
    verdicts = tuple(_judge(artifact, subject, notation, rules, moment) for artifact in artifacts)
    if not verdicts:
        return _result(subject, False, (), FailureReason.NO_SIGNATURE, "no signature is attached", names)
    if any(verdict.passed for verdict in verdicts):
        return _result(subject, True, verdicts, None, "a trusted signature verifies", names)
    reason = next((v.reason for v in verdicts if v.reason is not None), FailureReason.NO_SIGNATURE)
    return _result(subject, False, verdicts, reason, "no signature satisfies the policy", names)


def _judge(
    artifact: SignatureArtifact,
    subject: ImageSubject,
    notation: NotationContext | None,
    rules: Sequence[CosignRule],
    now: datetime,
) -> SignatureVerdict:
    if artifact.kind == NOTATION:
        if notation is None:
            return _unjudged(artifact, "no Notary Project trust policy applies to this repository")
        return verify_notation(artifact.blob, artifact.media_type, subject.descriptor, artifact.digest, notation)
    if not rules:
        return _unjudged(artifact, "no cosign rule applies to this repository")
    verdicts = [_judge_cosign(artifact, subject, rule, now) for rule in rules]
    return next((verdict for verdict in verdicts if verdict.passed), verdicts[0])


def _judge_cosign(
    artifact: SignatureArtifact, subject: ImageSubject, rule: CosignRule, now: datetime
) -> SignatureVerdict:
    digest = subject.descriptor.digest
    if artifact.kind == SIGSTORE_BUNDLE:
        return verify_bundle(artifact.blob, digest, artifact.digest, rule)
    return verify_simplesigning(artifact.blob, artifact.annotations, digest, artifact.digest, rule, now)


def _unjudged(artifact: SignatureArtifact, why: str) -> SignatureVerdict:
    check = Check("policy", CheckOutcome.SKIPPED, why, FailureReason.NO_APPLICABLE_POLICY)
    return SignatureVerdict(_kind(artifact), artifact.digest, False, (check,))


def _kind(artifact: SignatureArtifact) -> str:
    if artifact.kind != NOTATION:
        return artifact.kind
    return "notation-cose" if artifact.media_type == COSE_MEDIA_TYPE else "notation-jws"


def _result(
    subject: ImageSubject,
    passed: bool,
    verdicts: tuple[SignatureVerdict, ...],
    reason: FailureReason | None,
    message: str,
    policy: str = "",
) -> VerificationResult:
    return VerificationResult(subject.reference, subject.descriptor.digest, passed, verdicts, reason, message, policy)
