"""Posture results as JSON: every result with its rule metadata and evidence."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from regwarden import __version__
from regwarden.posture.engine import RuleResult
from regwarden.report.posture_common import counts, effective_status, ordered


def render_posture_json(results: Sequence[RuleResult]) -> bytes:
    document = {
        "tool": {"name": "regwarden", "version": __version__},
        "summary": counts(results),
        "results": [_result(result) for result in ordered(results)],
    }
    return json.dumps(document, indent=2, default=str).encode() + b"\n"


def _result(result: RuleResult) -> dict[str, Any]:
    rule = result.rule
    return {
        "rule": rule.id,
        "slug": rule.slug,
        "title": rule.title,
        "severity": rule.severity.value,
        "category": rule.category,
        "registry": {"name": result.registry_name, "id": result.registry_id},
        "status": result.status.value,
        "effectiveStatus": effective_status(result),
        "message": result.message,
        "evidence": [
            {
                "path": e.path,
                "value": e.value,
                "source": e.source.value,
                "origin": e.origin,
                "reason": e.reason,
            }
            for e in result.evidence
        ],
        "suppression": result.suppression_note,
        "remediation": {
            "az": rule.remediation.az,
            "bicep": rule.remediation.bicep,
            "terraform": rule.remediation.terraform,
        },
        "references": [{"anchor": r.anchor, "id": r.id} for r in rule.references],
    }
