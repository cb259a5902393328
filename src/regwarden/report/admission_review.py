"""An admission decision as the API server reads it (an AdmissionReview response) and as the log records it.

The response follows admission.k8s.io/v1 (in the version the request came in): `response.uid` echoes the
request's, `allowed`, and when denied a `status` (code 403 and the message kubectl prints); `warnings` when there
are any (audit mode, or an error let through by `failurePolicy: Ignore`); `auditAnnotations` put the decision
and its reasons in the cluster's audit log. The record is one JSON object per decision with every image, check
and reason: the structured log line, and what the event stored for a denial carries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from regwarden.model.admission import AdmissionDecision, AdmissionRequest, ImageVerdict


def review_response(decision: AdmissionDecision, api_version: str = "admission.k8s.io/v1") -> bytes:
    response: dict[str, Any] = {"uid": decision.uid, "allowed": decision.allowed}
    if not decision.allowed:
        response["status"] = {"code": 403, "reason": "Forbidden", "message": decision.message}
    if decision.warnings:
        response["warnings"] = list(decision.warnings)
    response["auditAnnotations"] = _audit_annotations(decision)
    return orjson.dumps({"apiVersion": api_version, "kind": "AdmissionReview", "response": response})


def decision_record(request: AdmissionRequest, decision: AdmissionDecision, moment: datetime) -> dict[str, Any]:
    """Everything about one decision, JSON-ready: the log line and the event payload are made from it."""
    return {
        "time": moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event": "admission",
        "uid": request.uid,
        "kind": request.kind,
        "namespace": request.namespace,
        "name": request.name,
        "operation": request.operation,
        "user": request.username,
        "dry_run": request.dry_run,
        "mode": decision.mode.value,
        "allowed": decision.allowed,
        "would_deny": decision.would_deny,
        "failed_open": decision.failed_open,
        "reasons": sorted({reason.value for verdict in decision.verdicts for reason in verdict.reasons}),
        "message": decision.message,
        "warnings": list(decision.warnings),
        "error": decision.error,
        "images": [verdict_record(verdict) for verdict in decision.verdicts],
        "unchanged_images": request.unchanged,
        "elapsed_ms": round(decision.elapsed_ms, 3),
    }


def verdict_record(verdict: ImageVerdict) -> dict[str, Any]:
    return {
        "image": verdict.image,
        "reference": verdict.reference,
        "digest": verdict.digest,
        "resolved_from": verdict.resolved_from,
        "allowed": verdict.allowed,
        "cached": verdict.cached,
        "error": verdict.error,
        "checks": [
            {
                "check": check.name.value,
                "passed": check.passed,
                "reason": check.reason.value if check.reason else None,
                "detail": check.detail,
            }
            for check in verdict.checks
        ],
    }


def log_line(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def _audit_annotations(decision: AdmissionDecision) -> dict[str, str]:
    if decision.allowed and not decision.would_deny:
        outcome = "allowed"
    elif decision.allowed:
        outcome = "allowed-with-warnings"
    else:
        outcome = "denied"
    reasons = sorted({reason.value for verdict in decision.verdicts for reason in verdict.reasons})
    if decision.error is not None:
        reasons = sorted({*reasons, "error"})
    return {"decision": outcome, "reasons": ",".join(reasons)} if reasons else {"decision": outcome}
