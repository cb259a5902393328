"""`logs analyze -o sarif`: each finding a SARIF result of its detection's rule, located at the record it rests on
(the file, or the workspace as a logical location)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from regwarden.detect.detection import DetectionMeta, Finding
from regwarden.report.logs_common import LogsReport, evidence_line
from regwarden.report.sarif import BAND_SCORE, LEVEL, render_sarif_log

_ORIGIN = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?(?::(?:records|tables|value)\[.*|\[\d+\].*)?$")
"""`FILE[:LINE][:records[N] | [N]]`: where a record was read (collect/azurelogs origins)."""


def render(report: LogsReport) -> bytes:
    metas = sorted(report.analysis.detections, key=lambda meta: meta.id)
    index = {meta.id: n for n, meta in enumerate(metas)}
    results = [_result(finding, index[finding.detection.id]) for finding in report.analysis.findings]
    gaps = [{"detection": g.detection_id, "reason": g.reason, "count": g.count} for g in report.analysis.gaps]
    return render_sarif_log([_rule(meta) for meta in metas], results, properties={"notChecked": gaps})


def _rule(meta: DetectionMeta) -> dict[str, Any]:
    references = ", ".join(f"{r.anchor} {r.id}" for r in meta.references) or "none"
    return {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.slug.split("-")),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.rationale},
        "help": {"text": f"{meta.rationale}\nReferences: {references}"},
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": {
            "security-severity": f"{BAND_SCORE[meta.severity]:.1f}",
            "tags": ["security", "audit-logs", meta.category],
            "precision": "medium",
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    evidence = [evidence_line(event) for event in finding.evidence[:5]]
    key = f"{finding.detection.id}|{finding.key}|{finding.first_seen.isoformat()}"
    return {
        "ruleId": finding.detection.id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.detection.severity],
        "message": {"text": f"{finding.message}. Evidence: " + "; ".join(evidence)},
        "locations": [_location(finding)],
        "partialFingerprints": {"regwardenAuditFinding/v1": hashlib.sha256(key.encode()).hexdigest()},
        "properties": {
            "firstSeen": finding.first_seen.isoformat(),
            "lastSeen": finding.last_seen.isoformat(),
            "count": finding.count,
            "identity": finding.identity,
            "callerIp": finding.caller_ip,
        },
    }


def _location(finding: Finding) -> dict[str, Any]:
    logical = {"name": finding.registry or finding.key, "kind": "resource"}
    origin = finding.evidence[0].origin if finding.evidence else ""
    place = _ORIGIN.match(origin)
    if origin.startswith("workspace ") or place is None:
        return {"logicalLocations": [logical]}
    physical: dict[str, Any] = {"artifactLocation": {"uri": place["path"]}}
    if place["line"]:
        physical["region"] = {"startLine": int(place["line"])}
    return {"physicalLocation": physical, "logicalLocations": [logical]}
