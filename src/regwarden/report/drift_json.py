"""`drift -o json`: the four lists, triaged findings apart, what could not be judged, and warnings.

Shape (stable; scripts read it): {"generated_at", "max_db_age_days", "severities", "counts": {"unknown", "moved",
"fixable", "stale"}, "unknown": [{"workload": WORKLOAD, "reason"}], "moved": [{"workload": WORKLOAD, "repository",
"tag", "current_digest", "moved_at"}], "fixable": [FINDING], "triaged": [FINDING + "triage"], "stale":
[{"digest", "kind", "detail", "matched_against", "workloads": [WORKLOAD]}], "not_evaluated": [{"subject",
"reason"}], "warnings": [TEXT]} where WORKLOAD is {"cluster", "namespace", "kind", "name", "container", "image",
"digest", "environment"} and FINDING is {"image", "digest", "id", "aliases", "package", "version", "severity",
"fixed", "workloads": [WORKLOAD]}. `counts` leaves triaged findings out.
"""

from __future__ import annotations

import json
from datetime import datetime

from regwarden.model.drift import DriftReport, FixableFinding, StaleImage
from regwarden.model.inventory import RunningWorkload
from regwarden.report.history_json import triage_json


def render_drift_json(report: DriftReport) -> bytes:
    document = {
        "generated_at": report.generated_at.isoformat(),
        "max_db_age_days": report.max_db_age_days,
        "severities": list(report.severities),
        "counts": report.counts,
        "unknown": [{"workload": _workload(item.workload), "reason": item.reason} for item in report.unknown],
        "moved": [
            {
                "workload": _workload(item.workload),
                "repository": item.repository,
                "tag": item.tag,
                "current_digest": item.current_digest,
                "moved_at": _moment(item.moved_at),
            }
            for item in report.moved
        ],
        "fixable": [_finding(item) for item in report.fixable_open],
        "triaged": [{**_finding(item), "triage": triage_json(item.triage)} for item in report.fixable_triaged],
        "stale": [_stale(item) for item in report.stale],
        "not_evaluated": [{"subject": item.subject, "reason": item.reason} for item in report.not_evaluated],
        "warnings": list(report.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _workload(workload: RunningWorkload) -> dict[str, object]:
    return {
        "cluster": workload.cluster,
        "namespace": workload.namespace,
        "kind": workload.kind,
        "name": workload.name,
        "container": workload.container,
        "image": workload.image,
        "digest": workload.digest,
        "environment": workload.environment,
    }


def _finding(item: FixableFinding) -> dict[str, object]:
    return {
        "image": item.image,
        "digest": item.image_digest,
        "id": item.vuln_id,
        "aliases": list(item.aliases),
        "package": item.package,
        "version": item.version,
        "severity": item.severity,
        "fixed": list(item.fixed),
        "workloads": [_workload(workload) for workload in item.workloads],
    }


def _stale(item: StaleImage) -> dict[str, object]:
    return {
        "digest": item.running_digest,
        "kind": item.kind,
        "detail": item.detail,
        "matched_against": _moment(item.matched_against),
        "workloads": [_workload(workload) for workload in item.workloads],
    }


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
