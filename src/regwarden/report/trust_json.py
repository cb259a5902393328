"""`referrers` and `verify` as JSON for scripts and webhooks: stable keys, reasons as `FailureReason` values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from regwarden.model.trust import AttachedArtifact, SignatureVerdict, VerificationResult


def render_attached_json(subject: str, digest: str, attached: Sequence[AttachedArtifact]) -> bytes:
    """`{"reference", "digest", "attached": [{"artifact_type", "digest", "media_type", "size", "annotations",
    "created", "source", "tag"}]}`."""
    document = {
        "reference": subject,
        "digest": digest,
        "attached": [
            {
                "artifact_type": item.artifact_type,
                "digest": item.digest,
                "media_type": item.media_type,
                "size": item.size,
                "annotations": dict(item.annotations),
                "created": item.created,
                "source": item.source,
                "tag": item.tag,
            }
            for item in attached
        ],
    }
    return _dump(document)


def verification_document(result: VerificationResult) -> dict[str, Any]:
    """The JSON form of a verification result (also what an admission decision can log)."""
    return {
        "reference": result.reference,
        "digest": result.digest,
        "passed": result.passed,
        "skipped": result.skipped,
        "reason": result.reason.value if result.reason else None,
        "message": result.message,
        "policy": result.policy,
        "signatures": [_verdict(verdict) for verdict in result.verdicts],
    }


def render_verification_json(result: VerificationResult) -> bytes:
    return _dump(verification_document(result))


def _verdict(verdict: SignatureVerdict) -> dict[str, Any]:
    return {
        "kind": verdict.kind,
        "artifact_digest": verdict.artifact_digest,
        "passed": verdict.passed,
        "reason": verdict.reason.value if verdict.reason else None,
        "signer": verdict.signer,
        "issuer": verdict.issuer,
        "policy": verdict.policy,
        "signed_at": verdict.signed_at,
        "checks": [
            {
                "name": check.name,
                "outcome": check.outcome.value,
                "reason": check.reason.value if check.reason else None,
                "detail": check.detail,
            }
            for check in verdict.checks
        ],
    }


def _dump(document: object) -> bytes:
    return (json.dumps(document, indent=2) + "\n").encode()
