"""An image's recorded signatures in the JSON API: the response shapes and their conversion from the records
(`verify --record`). Pure: no store, no request."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from regwarden.model.signatures import ImageSignatures, RecordedReferrer, RecordedSignature, RecordedVerification


class ReferrerOut(BaseModel):
    subject: str = Field(description="The digest it is attached to (an index holding this image, or the image).")
    repository: str
    digest: str
    artifact_type: str | None
    media_type: str
    size: int
    created: str | None
    annotations: dict[str, str] = Field(description="A summary: the first few annotations, values cut short.")
    source: str = Field(description="referrers | cosign-tag")
    tag: str | None
    seen_at: datetime


class SignatureOut(BaseModel):
    kind: str
    artifact_digest: str
    passed: bool
    reason: str | None
    detail: str
    signer: str
    issuer: str
    statement: str
    signed_at: str | None


class VerificationOut(BaseModel):
    subject: str
    repository: str
    policy: str = Field(description="The policy file's name.")
    policy_sha256: str = Field(description="The hash of the policy file that decided.")
    statements: str
    reference: str
    passed: bool
    skipped: bool
    reason: str | None
    message: str
    verified_at: datetime
    signatures: list[SignatureOut]


class SignaturesOut(BaseModel):
    checked: bool = Field(description="False when nothing is recorded: the signatures were never checked.")
    verifications: list[VerificationOut] = Field(description="The latest per repository and policy file.")
    referrers: list[ReferrerOut]


def signatures(recorded: ImageSignatures) -> SignaturesOut:
    return SignaturesOut(
        checked=recorded.checked,
        verifications=[verification(item) for item in recorded.verifications],
        referrers=[referrer(item) for item in recorded.referrers],
    )


def verification(item: RecordedVerification) -> VerificationOut:
    return VerificationOut(
        subject=item.subject,
        repository=item.repository,
        policy=item.policy,
        policy_sha256=item.policy_sha256,
        statements=item.statements,
        reference=item.reference,
        passed=item.passed,
        skipped=item.skipped,
        reason=item.reason,
        message=item.message,
        verified_at=item.verified_at,
        signatures=[signature(entry) for entry in item.signatures],
    )


def signature(item: RecordedSignature) -> SignatureOut:
    return SignatureOut(
        kind=item.kind,
        artifact_digest=item.artifact_digest,
        passed=item.passed,
        reason=item.reason,
        detail=item.detail,
        signer=item.signer,
        issuer=item.issuer,
        statement=item.statement,
        signed_at=item.signed_at,
    )


def referrer(item: RecordedReferrer) -> ReferrerOut:
    return ReferrerOut(
        subject=item.subject,
        repository=item.repository,
        digest=item.digest,
        artifact_type=item.artifact_type,
        media_type=item.media_type,
        size=item.size,
        created=item.created,
        annotations=dict(item.annotations),
        source=item.source,
        tag=item.tag,
        seen_at=item.seen_at,
    )
