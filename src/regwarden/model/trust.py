"""Trust results: what is attached to an image, and whether its signatures satisfy a verification policy.

Every failed check names a `FailureReason`, so a tampered payload, a wrong key, an expired certificate and an
untrusted one are told apart by machines (the admission webhook, `-o json`) as well as by people. A check that
could not be performed (revocation information out of reach) is a failure with its reason, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class FailureReason(StrEnum):
    """Why a signature, or an image as a whole, did not pass. Stable names: scripts and webhooks match them."""

    NO_SIGNATURE = "no-signature"
    NO_APPLICABLE_POLICY = "no-applicable-policy"
    MALFORMED_ENVELOPE = "malformed-envelope"
    UNSUPPORTED_ENVELOPE = "unsupported-envelope"
    UNSUPPORTED_ALGORITHM = "unsupported-algorithm"
    ALGORITHM_MISMATCH = "algorithm-mismatch"
    UNKNOWN_CRITICAL_ATTRIBUTE = "unknown-critical-attribute"
    SIGNATURE_INVALID = "signature-invalid"
    """The signature does not verify with the certificate or key it names: altered bytes or another key."""
    PAYLOAD_MISMATCH = "payload-mismatch"
    """The signature is valid but signs another artifact (digest, size or media type differ)."""
    KEY_MISMATCH = "key-mismatch"
    """No public key the policy trusts verifies the signature (signed with another key, or altered)."""
    CHAIN_INVALID = "chain-invalid"
    UNTRUSTED_CERTIFICATE = "untrusted-certificate"
    IDENTITY_MISMATCH = "identity-mismatch"
    CERTIFICATE_EXPIRED = "certificate-expired"
    CERTIFICATE_NOT_YET_VALID = "certificate-not-yet-valid"
    SIGNATURE_EXPIRED = "signature-expired"
    TIMESTAMP_MISSING = "timestamp-missing"
    TIMESTAMP_INVALID = "timestamp-invalid"
    TIMESTAMP_UNTRUSTED = "timestamp-untrusted"
    TIMESTAMP_OUTSIDE_VALIDITY = "timestamp-outside-validity"
    REVOKED = "revoked"
    REVOCATION_UNAVAILABLE = "revocation-unavailable"
    TRANSPARENCY_LOG_INVALID = "transparency-log-invalid"


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    """Enforced and failed: the signature is rejected."""
    LOGGED = "logged"
    """Failed, but the verification level only logs this check (permissive / audit)."""
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One validation of one signature: integrity, authenticity, expiry, authentic timestamp, revocation, …"""

    name: str
    outcome: CheckOutcome
    detail: str = ""
    reason: FailureReason | None = None


@dataclass(frozen=True)
class SignatureVerdict:
    """One signature attached to the image and what verifying it found."""

    kind: str
    """`notation-jws`, `notation-cose`, `cosign`, `sigstore-bundle`."""
    artifact_digest: str
    """The digest of the signature artifact (its manifest), so a user can fetch exactly this one."""
    passed: bool
    checks: tuple[Check, ...] = ()
    signer: str = ""
    """Who signed, as far as the signature says: a certificate subject, a Fulcio identity, a key name."""
    issuer: str = ""
    """Who issued the signer's certificate (a Notary Project signature's issuer DN); Fulcio identities name their
    OIDC issuer in `signer`."""
    policy: str = ""
    """The policy statement that judged it."""
    signed_at: str | None = None

    @property
    def reason(self) -> FailureReason | None:
        """The first enforced failure; for a signature no policy judged, why; None when the signature passed."""
        if self.passed:
            return None
        failed = (c.reason for c in self.checks if c.outcome is CheckOutcome.FAILED)
        return next(failed, None) or next((c.reason for c in self.checks if c.reason is not None), None)


@dataclass(frozen=True)
class VerificationResult:
    """Whether an image (by digest) meets the verification policy, with the evidence for every signature."""

    reference: str
    digest: str
    passed: bool
    verdicts: tuple[SignatureVerdict, ...] = ()
    reason: FailureReason | None = None
    message: str = ""
    policy: str = ""
    """The applicable policy statement(s), by name."""
    skipped: bool = False
    """The applicable policy says `skip`: nothing was verified, by the policy's choice."""


@dataclass(frozen=True)
class AttachedArtifact:
    """A signature, SBOM or attestation attached to an image (a referrer, or a cosign `.sig`/`.att` tag)."""

    digest: str
    media_type: str
    artifact_type: str | None
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)
    created: str | None = None
    source: str = "referrers"
    """How it was found: `referrers` (API), `tag-schema` (the `sha256-<hex>` index), `cosign-tag`."""
    tag: str | None = None
