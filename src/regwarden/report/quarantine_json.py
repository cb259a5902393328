"""`promote` and `quarantine list` as JSON for scripts: the gate (each image with its counts, the conditions),
what was copied, and the quarantine worker's records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from regwarden.model.quarantine import CopiedReferrer, GateResult, PromoteReport, QuarantineCheck


def render_promote_json(report: PromoteReport) -> bytes:
    """`{"source", "destination", "digest", "media_type", "copied", "destination_digest", "gate", "copy",
    "referrers"}`; `referrers` is null when none were looked for (`--no-referrers`, or not promoted)."""
    counts = report.counts
    document = {
        "source": report.source,
        "destination": report.destination,
        "digest": report.digest,
        "media_type": report.media_type,
        "copied": report.copied,
        "destination_digest": report.destination_digest,
        "gate": gate_document(report.gate) if report.gate is not None else None,
        "copy": {
            "manifests": counts.manifests,
            "blobs_present": counts.blobs_present,
            "blobs_mounted": counts.blobs_mounted,
            "blobs_uploaded": counts.blobs_uploaded,
            "bytes_uploaded": counts.bytes_uploaded,
            "blobs_foreign": counts.blobs_foreign,
        },
        "referrers": None if report.referrers is None else [_referrer(r) for r in report.referrers],
    }
    return _dump(document)


def _referrer(referrer: CopiedReferrer) -> dict[str, Any]:
    return {
        "subject": referrer.subject,
        "digest": referrer.digest,
        "artifact_type": referrer.artifact_type,
        "found_by": referrer.found_by,
        "tag": referrer.tag,
    }


def render_checks_json(checks: Sequence[QuarantineCheck]) -> bytes:
    """`{"checks": [...]}`: each pushed manifest the worker received, its status, state and reasons."""
    document = {
        "checks": [
            {
                "registry": c.registry,
                "repository": c.repository,
                "digest": c.digest,
                "tag": c.tag,
                "status": c.status,
                "state": c.state,
                "reasons": list(c.reasons),
                "details": json.loads(c.details) if c.details else None,
                "attempts": c.attempts,
                "last_error": c.last_error,
                "received_at": _moment(c.received_at),
                "decided_at": _moment(c.decided_at),
                "reported_at": _moment(c.reported_at),
            }
            for c in checks
        ]
    }
    return _dump(document)


def gate_document(gate: GateResult) -> dict[str, Any]:
    return {
        "passed": gate.passed,
        "state": gate.state,
        "fail_on": gate.fail_on,
        "reasons": list(gate.reasons()),
        "images": [
            {
                "digest": image.digest,
                "platform": image.platform,
                "passed": image.passed,
                "counts": dict(image.counts),
                "failing": image.failing,
                "error": image.error,
                "warnings": list(image.warnings),
            }
            for image in gate.images
        ],
        "conditions": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in gate.conditions],
        "skipped": [{"digest": digest, "reason": why} for digest, why in gate.skipped],
    }


def _moment(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _dump(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
