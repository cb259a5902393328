"""RW-ACR-011 (prod): public network access is disabled."""

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
    id="RW-ACR-011",
    slug="public-network-access-disabled",
    title="Public network access disabled",
    severity=Severity.HIGH,
    category="network",
    rationale=(
        "A registry reachable from the internet relies on credentials alone. An absent publicNetworkAccess "
        "is "
        "Enabled (service default), so we fail it like Checkov's CKV_AZURE_139 does."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --public-network-enabled false",
        bicep="properties: { publicNetworkAccess: 'Disabled' }",
        terraform="public_network_access_enabled = false",
    ),
    references=(
        Reference("Checkov", "CKV_AZURE_139"),
        Reference("Prowler", "containerregistry_not_publicly_accessible"),
        Reference("Azure Policy", "0fdf0491"),
    ),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.public_network_access
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) == "disabled":
        return passed(f"public network access is disabled ({describe(value)})", value)
    return failed(f"public network access is enabled ({describe(value)})", value)


RULE = FunctionRule(META, check)
