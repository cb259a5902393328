"""Recorded trust facts about an image: what was found attached to it, and the latest verification per policy.

Written by `regwarden verify --record`; read by the image page and the API. The server never calls a registry
inside a request, so "signatures" on the page are these records, each with the time it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RecordedReferrer:
    """A signature, SBOM or attestation found attached to an image in one repository."""

    subject: str
    """The image digest it is attached to (an index, when the tag names one)."""
    repository: str
    """`registry/repository` it was found in: a copy of the image elsewhere may carry other signatures."""
    digest: str
    artifact_type: str | None
    media_type: str
    size: int
    created: str | None
    seen_at: datetime
    annotations: Mapping[str, str] = field(default_factory=dict)
    """A summary: at most a few annotations, each value cut short."""
    source: str = "referrers"
    """`referrers` (the API or its tag schema) or `cosign-tag`."""
    tag: str | None = None


@dataclass(frozen=True)
class RecordedSignature:
    """One signature as a verification judged it."""

    kind: str
    artifact_digest: str
    passed: bool
    reason: str | None = None
    """Why it failed (a `FailureReason` value); None when it passed."""
    detail: str = ""
    """The failed check's detail, or what the authenticity check established."""
    signer: str = ""
    """The certificate subject, Fulcio identity or key name."""
    issuer: str = ""
    """The certificate's issuer (Notary Project); Fulcio identities carry their OIDC issuer in `signer`."""
    statement: str = ""
    """The policy statement or cosign rule that judged it."""
    signed_at: str | None = None


@dataclass(frozen=True)
class RecordedVerification:
    """The latest verification of an image in one repository under one policy file."""

    subject: str
    repository: str
    policy: str
    """The policy file's name."""
    policy_sha256: str
    """The hash of the policy file's bytes: which version of the file decided."""
    statements: str
    """The applicable statements and rules, by name."""
    reference: str
    passed: bool
    skipped: bool
    reason: str | None
    message: str
    verified_at: datetime
    signatures: tuple[RecordedSignature, ...] = ()


@dataclass(frozen=True)
class ImageSignatures:
    """What is recorded about an image's signatures (its own digest and the indexes that hold it)."""

    referrers: tuple[RecordedReferrer, ...] = ()
    verifications: tuple[RecordedVerification, ...] = ()

    @property
    def checked(self) -> bool:
        return bool(self.referrers or self.verifications)
