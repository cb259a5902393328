"""`affected ID -o json`: running workloads first, then catalogued images that do not run, then triaged rows.

Shape (stable; scripts read it): {"vulnerability": {"id", "aliases", "summary"}, "production_affected",
"running": [{"cluster", "namespace", "workload", "kind", "container", "image", "digest", "environment",
"environment_rule", "package", "version", "fixed", "severity"}], "not_running": [{"image", "digest", "package",
"version", "fixed", "severity"}], "triaged": [{"image", "digest", "package", "version", "state", "reason",
"author", "expires"}]}.
"""

from __future__ import annotations

import json

from regwarden.model.inventory import AffectedReport, ComponentHit, ImpactRow, RunningWorkload


def render_affected_json(report: AffectedReport) -> bytes:
    document = {
        "vulnerability": {"id": report.vulnerability_id, "aliases": list(report.aliases), "summary": report.summary},
        "production_affected": report.production_affected,
        "running": [_running(workload, row.component) for workload, row in report.running],
        "not_running": [_component(row.component) for row in report.not_running],
        "triaged": [_triaged(row) for row in report.triaged],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _running(workload: RunningWorkload, component: ComponentHit) -> dict[str, object]:
    return {
        "cluster": workload.cluster,
        "namespace": workload.namespace,
        "workload": workload.name,
        "kind": workload.kind,
        "container": workload.container,
        "image": workload.image,
        "digest": component.digest,
        "environment": workload.environment,
        "environment_rule": workload.environment_rule,
        "package": component.package,
        "version": component.version,
        "fixed": list(component.fixed),
        "severity": component.severity,
    }


def _component(component: ComponentHit) -> dict[str, object]:
    return {
        "image": component.image,
        "digest": component.digest,
        "package": component.package,
        "version": component.version,
        "fixed": list(component.fixed),
        "severity": component.severity,
    }


def _triaged(row: ImpactRow) -> dict[str, object]:
    decision = row.triage
    assert decision is not None
    return {
        **_component(row.component),
        "running": len(row.running),
        "state": decision.state.value,
        "reason": decision.reason,
        "author": decision.author,
        "expires": decision.expires.isoformat() if decision.expires else None,
    }
