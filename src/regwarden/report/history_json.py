"""`history -o json`: the builds in order, each with what changed since the build it was compared with.

Shape (stable; scripts read it): {"repository": "REGISTRY/REPO", "registry", "name", "tag" (null for a whole
repository), "builds": [{"digest", "image_digest", "status", "error", "platform", "created", "seen_at", "until",
"packages", "open_findings", "compared_with", "note", "package_changes": [{"kind", "type", "name", "before",
"after", "layer": {"index", "digest", "created_by"} | null}], "introduced": [FINDING], "fixed": [FINDING]}]}
where FINDING is {"id", "aliases", "package", "package_type", "version", "severity", "fixed", "triage": null |
{"state", "reason", "author", "created_at", "expires", "scope", "target", "package"}}. Triaged findings stay in
`introduced` / `fixed` with their `triage`; `open_findings` counts the untriaged ones.
"""

from __future__ import annotations

import json
from datetime import datetime

from regwarden.model.history import BuildStep, FindingDelta, HistoryReport, PackageDelta
from regwarden.model.inventory import TriageDecision


def render_history_json(report: HistoryReport) -> bytes:
    document = {
        "repository": f"{report.registry}/{report.repository}",
        "registry": report.registry,
        "name": report.repository,
        "tag": report.tag,
        "builds": [_step(step) for step in report.steps],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _step(step: BuildStep) -> dict[str, object]:
    build = step.build
    return {
        "digest": build.digest,
        "image_digest": build.image_digest,
        "status": build.status,
        "error": build.error,
        "platform": build.platform,
        "created": build.created,
        "seen_at": _moment(build.seen_at),
        "until": _moment(build.until),
        "packages": build.packages,
        "open_findings": build.open_findings,
        "compared_with": step.compared_with,
        "note": step.note,
        "package_changes": [_package(delta) for delta in step.packages],
        "introduced": [_finding(delta) for delta in step.introduced],
        "fixed": [_finding(delta) for delta in step.fixed],
    }


def _package(delta: PackageDelta) -> dict[str, object]:
    layer = delta.layer
    return {
        "kind": delta.kind,
        "type": delta.type,
        "name": delta.name,
        "before": list(delta.before),
        "after": list(delta.after),
        "layer": None
        if layer is None
        else {"index": layer.index, "digest": layer.digest, "created_by": layer.created_by},
    }


def _finding(delta: FindingDelta) -> dict[str, object]:
    return {
        "id": delta.vuln_id,
        "aliases": list(delta.aliases),
        "package": delta.package,
        "package_type": delta.package_type,
        "version": delta.version,
        "severity": delta.severity,
        "fixed": list(delta.fixed),
        "triage": triage_json(delta.triage),
    }


def triage_json(decision: TriageDecision | None) -> dict[str, object] | None:
    if decision is None:
        return None
    return {
        "state": decision.state.value,
        "reason": decision.reason,
        "author": decision.author,
        "created_at": _moment(decision.created_at),
        "expires": decision.expires.isoformat() if decision.expires else None,
        "scope": decision.scope.value,
        "target": decision.target,
        "package": decision.package,
    }


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
