"""Triage decisions as an OpenVEX v0.2.0 document (https://github.com/openvex/spec).

How a triage state reads in OpenVEX:

| triage | status | with |
|---|---|---|
| not_affected | not_affected | impact_statement = the reason (no justification label: none was recorded) |
| false_positive | not_affected | justification `vulnerable_code_not_present` and impact_statement = the reason |
| fixed | fixed | |
| accepted | affected | action_statement = the reason (the spec requires one for `affected`) |

A false positive here means the match is wrong for the package the image really holds: the component is present
(it is in the SBOM, so `component_not_present` would contradict it) but the vulnerable code is not, which is what
`vulnerable_code_not_present` says. Every statement carries its decision's time as `timestamp`, and `status_notes`
says who decided and until when (OpenVEX has no expiry: only unexpired decisions are exported). The document's
`@id` is in OpenVEX's public namespace, derived from the statements, so the same decisions give the same id.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from regwarden.model.inventory import TriageDecision, TriageState
from regwarden.model.triage_reports import TriageExport, TriageStatement, VexProductRef

CONTEXT = "https://openvex.dev/ns/v0.2.0"
ID_PREFIX = "https://openvex.dev/docs/public/regwarden-"
FALSE_POSITIVE_JUSTIFICATION = "vulnerable_code_not_present"
_STATUS = {
    TriageState.NOT_AFFECTED: "not_affected",
    TriageState.FALSE_POSITIVE: "not_affected",
    TriageState.FIXED: "fixed",
    TriageState.ACCEPTED: "affected",
}


def render_triage_openvex(export: TriageExport) -> bytes:
    statements = [_statement(item) for item in export.statements]
    digest = hashlib.sha256(json.dumps(statements, sort_keys=True).encode()).hexdigest()
    document = {
        "@context": CONTEXT,
        "@id": f"{ID_PREFIX}{digest[:32]}",
        "author": export.author,
        "timestamp": export.timestamp.isoformat(),
        "version": 1,
        "tooling": export.tool,
        "statements": statements,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _statement(item: TriageStatement) -> dict[str, Any]:
    decision = item.decision
    vulnerability: dict[str, Any] = {"name": decision.vuln_id}
    if item.aliases:
        vulnerability["aliases"] = list(item.aliases)
    statement: dict[str, Any] = {
        "vulnerability": vulnerability,
        "timestamp": decision.created_at.isoformat(),
        "products": [_product(product) for product in item.products],
        "status": _STATUS[decision.state],
        "status_notes": _notes(decision),
    }
    if decision.state is TriageState.FALSE_POSITIVE:
        statement["justification"] = FALSE_POSITIVE_JUSTIFICATION
    if decision.state in (TriageState.NOT_AFFECTED, TriageState.FALSE_POSITIVE):
        statement["impact_statement"] = decision.reason
    if decision.state is TriageState.ACCEPTED:
        statement["action_statement"] = decision.reason
    return statement


def _product(product: VexProductRef) -> dict[str, Any]:
    found: dict[str, Any] = {"@id": product.purl, "identifiers": {"purl": product.purl}}
    if product.subcomponents:
        found["subcomponents"] = [{"@id": purl, "identifiers": {"purl": purl}} for purl in product.subcomponents]
    return found


def _notes(decision: TriageDecision) -> str:
    text = f"regwarden triage {decision.state.value} by {decision.author} on {decision.created_at:%Y-%m-%d}"
    if decision.package:
        text += f", package {decision.package}"
    if decision.expires:
        text += f", until {decision.expires.isoformat()}"
    if decision.state is TriageState.FIXED:
        text += f": {decision.reason}"  # the only state whose reason has no field of its own
    return text
