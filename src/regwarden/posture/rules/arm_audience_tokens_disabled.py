"""RW-ACR-003: Entra tokens with the ARM audience are not accepted for registry authentication."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-003",
    slug="arm-audience-tokens-disabled",
    title="ARM-audience tokens disabled",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "With the policy enabled (the service default) any ARM token for the tenant can be exchanged for a "
        "registry token, widening what a leaked management token can reach. Requiring the ACR audience "
        "narrows it."
    ),
    remediation=Remediation(
        az="az acr config authentication-as-arm update --registry <registry> --status disabled",
        bicep="properties: { policies: { azureADAuthenticationAsArmPolicy: { status: 'disabled' } } }",
        terraform=(
            'resource "azapi_update_resource" "acr" { body = { properties = { policies = '
            '{ azureADAuthenticationAsArmPolicy = { status = "disabled" } } } } }'
        ),
    ),
    references=(Reference("Azure Policy", "42781ec6"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.arm_audience_token_status
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) == "disabled":
        return passed(f"ARM-audience tokens are refused ({describe(value)})", value)
    return failed(f"ARM-audience tokens are accepted ({describe(value)})", value)


RULE = FunctionRule(META, check)
