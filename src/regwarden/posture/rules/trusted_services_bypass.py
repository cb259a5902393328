"""RW-ACR-017: with public access off and Defender on, trusted Azure services may still reach the registry."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, skipped, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-017",
    slug="trusted-services-bypass",
    title="Trusted-services bypass consistent",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "Defender for Containers scans from Microsoft's network as a trusted service; with public access "
        "off and "
        "networkRuleBypassOptions None, scanning silently stops and every image looks clean. No anchor "
        "checks this."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --allow-trusted-services true",
        bicep="properties: { networkRuleBypassOptions: 'AzureServices' }",
        terraform='network_rule_bypass_option = "AzureServices"',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    access, bypass = registry.public_network_access, registry.network_rule_bypass
    if access.known and text(access) != "disabled":
        return skipped(f"public network access is on ({describe(access)}); the bypass does not matter", access)
    defender = registry.defender
    if defender.known and defender.value is not None:
        tier = defender.value.pricing_tier
        if tier.known and text(tier) != "standard":
            return skipped(f"Defender for Containers is off ({describe(tier)})", tier)
    if unknown := unknown_unless_known(access, defender, bypass):
        return unknown
    if defender.value is not None and (unknown := unknown_unless_known(defender.value.pricing_tier)):
        return unknown
    if text(bypass) == "azureservices":
        return passed(f"trusted services can reach the registry ({describe(bypass)})", access, bypass)
    return failed(f"Defender cannot scan: trusted services are blocked ({describe(bypass)})", access, bypass)


RULE = FunctionRule(META, check)
