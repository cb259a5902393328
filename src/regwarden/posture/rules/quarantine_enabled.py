"""RW-ACR-020: the quarantine policy holds new images until a scanner releases them."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-020",
    slug="quarantine-enabled",
    title="Quarantine enabled",
    severity=Severity.MEDIUM,
    category="supply-chain",
    rationale="Quarantine keeps a freshly pushed image unpullable until it has been checked.",
    remediation=Remediation(
        az=("az resource update --ids <registry-id> --set properties.policies.quarantinePolicy.status=enabled"),
        bicep="properties: { policies: { quarantinePolicy: { status: 'enabled' } } }",
        terraform="quarantine_policy_enabled = true",
    ),
    references=(Reference("PSRule", "Azure.ACR.Quarantine"), Reference("Checkov", "CKV_AZURE_166")),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.quarantine_policy_status
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) == "enabled":
        return passed(f"quarantine is enabled ({describe(value)})", value)
    return failed(f"quarantine is disabled ({describe(value)})", value)


RULE = FunctionRule(META, check)
