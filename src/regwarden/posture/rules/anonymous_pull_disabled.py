"""RW-ACR-002: anonymous (unauthenticated) pull is disabled."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, skipped, sku_unreadable, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-002",
    slug="anonymous-pull-disabled",
    title="Anonymous pull disabled",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "Anonymous pull lets anyone who can reach the registry read every image, including secrets baked "
        "into layers. Basic registries cannot enable it, so the rule is skipped there rather than "
        "reported as a pass. Checkov's CKV_AZURE_138 also passes when sku.name is absent or not a "
        "string; here an explicit anonymousPullEnabled true fails when the SKU is absent (the setting is the "
        "risk), and a SKU that is present but cannot be read (malformed, such as an empty list, a number or an "
        "object without a name, or an expression without a value) gives UNKNOWN: the rule depends on it."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --anonymous-pull-enabled false",
        bicep="properties: { anonymousPullEnabled: false }",
        terraform="anonymous_pull_enabled = false",
    ),
    references=(
        Reference("PSRule", "Azure.ACR.AnonymousAccess"),
        Reference("Checkov", "CKV_AZURE_138"),
        Reference("Azure Policy", "9f2dea28"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.anonymous_pull_enabled
    if unknown := sku_unreadable(registry):
        return unknown
    if registry.sku.known and text(registry.sku) == "basic":
        return skipped("the Basic SKU cannot enable anonymous pull", registry.sku)
    if unknown := unknown_unless_known(value):
        return unknown
    if value.value:
        return failed(f"anonymous pull is enabled ({describe(value)})", value)
    return passed(f"anonymous pull is disabled ({describe(value)})", value)


RULE = FunctionRule(META, check)
