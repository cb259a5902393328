"""RW-ACR-024: image signatures are verified where images from this registry are deployed."""

from __future__ import annotations

from regwarden.model.arm_id import last_segment
from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

IMAGE_INTEGRITY_POLICY = "cf426bb8"
"""First 8 hex digits of the built-in 'Kubernetes clusters should only use images signed by notation' "
"definition."""

META = RuleMeta(
    id="RW-ACR-024",
    slug="signature-verification-enforced",
    title="Signature verification enforced",
    severity=Severity.HIGH,
    category="supply-chain",
    rationale=(
        "Signing is worthless unless deployment verifies. PASS needs an enforced assignment of the "
        "image-integrity "
        "policy (cf426bb8) covering the registry's scope; an assignment in DoNotEnforce mode FAILS (audit "
        "only). "
        "Without one the result is UNKNOWN: Ratify or Kyverno policies live in the clusters, which this "
        "input "
        "does not describe."
    ),
    remediation=Remediation(
        az=(
            "az policy assignment create --policy cf426bb8-... --scope <cluster-or-rg-scope> --enforcement-mode Default"
        ),
        bicep=(
            "resource pa 'Microsoft.Authorization/policyAssignments@2022-06-01' = { properties: { "
            "policyDefinitionId: ... } }"
        ),
        terraform=(
            'resource "azurerm_resource_group_policy_assignment" "image_integrity" { policy_definition_id = "..." }'
        ),
    ),
    references=(Reference("Azure Policy", "cf426bb8"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    assignments = registry.policy_assignments
    if unknown := unknown_unless_known(assignments):
        return unknown
    matching = [
        a
        for a in assignments.value or ()
        if last_segment(a.policy_definition_id).casefold().startswith(IMAGE_INTEGRITY_POLICY)
    ]
    enforced = [a for a in matching if a.enforcement_mode is None or text(a.enforcement_mode) == "default"]
    if enforced:
        return passed(f"image-integrity policy enforced by assignment {enforced[0].name}", assignments)
    if matching:
        return failed(f"image-integrity policy assigned but not enforced: {matching[0].name}", assignments)
    message = "no image-integrity policy assignment; cluster data (Ratify/Kyverno) is not in the input"
    return Check(Status.UNKNOWN, message, evidence(assignments))


RULE = FunctionRule(META, check)
