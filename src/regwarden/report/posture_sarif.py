"""Posture results as SARIF 2.1.0, for GitHub code scanning and Azure DevOps.

Only FAIL and UNKNOWN results become SARIF results (PASS and SKIPPED are not problems). UNKNOWN is a `note`: it is
something to look at, not a failure. A suppressed failure keeps its result with a SARIF `suppressions` entry, so the
platform shows it as dismissed with the justification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from regwarden.model.finding import Status
from regwarden.posture.engine import RuleResult
from regwarden.posture.rule import RuleMeta
from regwarden.report.posture_common import evidence_text, ordered
from regwarden.report.sarif import BAND_SCORE, LEVEL, render_sarif_log


def render_posture_sarif(results: Sequence[RuleResult]) -> bytes:
    rules = _unique_rules(results)
    index = {rule.id: n for n, rule in enumerate(rules)}
    sarif_results = [
        _result(result, index[result.rule.id])
        for result in ordered(results)
        if result.status in (Status.FAIL, Status.UNKNOWN)
    ]
    return render_sarif_log([_rule(rule) for rule in rules], sarif_results)


def _unique_rules(results: Sequence[RuleResult]) -> list[RuleMeta]:
    seen: dict[str, RuleMeta] = {}
    for result in results:
        seen.setdefault(result.rule.id, result.rule)
    return sorted(seen.values(), key=lambda rule: rule.id)


def _rule(rule: RuleMeta) -> dict[str, Any]:
    references = ", ".join(f"{r.anchor} {r.id}" for r in rule.references) or "none"
    remediation = rule.remediation
    markdown = (
        f"{rule.rationale}\n\n**Remediation**\n\n```sh\n{remediation.az}\n```\n\n"
        f"Bicep:\n\n```bicep\n{remediation.bicep}\n```\n\nTerraform:\n\n```hcl\n{remediation.terraform}\n```\n\n"
        f"Equivalent checks: {references}"
    )
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.slug.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\nRemediation: {remediation.az}", "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "security-severity": f"{BAND_SCORE[rule.severity]:.1f}",
            "tags": ["security", "acr", rule.category],
            "precision": "high",
        },
    }


def _result(result: RuleResult, rule_index: int) -> dict[str, Any]:
    evidence = [evidence_text(e) for e in result.evidence]
    text = result.message + (" Evidence: " + "; ".join(evidence) if evidence else "")
    entry: dict[str, Any] = {
        "ruleId": result.rule.id,
        "ruleIndex": rule_index,
        "level": "note" if result.status is Status.UNKNOWN else LEVEL[result.rule.severity],
        "message": {"text": f"{result.registry_name}: {text}"},
        "locations": [_location(result)],
        "partialFingerprints": {
            "regwardenFinding/v1": hashlib.sha256(f"{result.rule.id}|{result.registry_id}".encode()).hexdigest()
        },
        "properties": {"status": result.status.value, "registryId": result.registry_id},
    }
    if result.suppressed:
        entry["suppressions"] = [{"kind": "external", "justification": result.suppression_note or ""}]
    return entry


def _location(result: RuleResult) -> dict[str, Any]:
    logical = {"name": result.registry_name, "fullyQualifiedName": result.registry_id, "kind": "resource"}
    origin = next((e.origin for e in result.evidence if e.origin), "")
    file_part = origin.split("#", 1)[0]
    if not file_part or file_part.startswith("azure:"):
        return {"logicalLocations": [logical]}
    return {"physicalLocation": {"artifactLocation": {"uri": file_part}}, "logicalLocations": [logical]}
