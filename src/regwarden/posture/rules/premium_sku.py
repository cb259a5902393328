"""RW-ACR-010 (prod): the registry uses the Premium SKU (private link, geo-replication, retention)."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import (
    PROD_PROFILES,
    Check,
    FunctionRule,
    Reference,
    Remediation,
    RuleContext,
    RuleMeta,
)

META = RuleMeta(
    id="RW-ACR-010",
    slug="premium-sku",
    title="Premium SKU",
    severity=Severity.HIGH,
    category="network",
    rationale=(
        "Private endpoints, firewall rules, geo-replication, retention and disabling export all need "
        "Premium. PSRule's Azure.ACR.MinSku accepts Standard; we require Premium in production because "
        "the network controls in this baseline cannot be met without it. A SKU that is absent or cannot be read "
        "(malformed, or an expression without a value) is UNKNOWN."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --sku Premium",
        bicep="sku: { name: 'Premium' }",
        terraform='sku = "Premium"',
    ),
    references=(
        Reference("PSRule", "Azure.ACR.MinSku (Standard+)"),
        Reference("Azure Policy", "bd560fc0"),
        Reference("APRL", "eb005943"),
        Reference("MCSB", "NS-2"),
    ),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    sku = registry.sku
    if unknown := unknown_unless_known(sku):
        return unknown
    if text(sku) == "premium":
        return passed(f"the registry is Premium ({describe(sku)})", sku)
    return failed(f"the registry is not Premium ({describe(sku)})", sku)


RULE = FunctionRule(META, check)
