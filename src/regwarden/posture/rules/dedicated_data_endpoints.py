"""RW-ACR-016: dedicated (per-registry) data endpoints are enabled."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-016",
    slug="dedicated-data-endpoints",
    title="Dedicated data endpoints",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "Without dedicated data endpoints, client firewalls must allow the wildcard "
        "*.blob.core.windows.net, which "
        "is also a data-exfiltration path to any storage account."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --data-endpoint-enabled true",
        bicep="properties: { dataEndpointEnabled: true }",
        terraform="data_endpoint_enabled = true",
    ),
    references=(Reference("Checkov", "CKV_AZURE_237"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.data_endpoint_enabled
    if unknown := unknown_unless_known(value):
        return unknown
    if value.value:
        return passed(f"dedicated data endpoints are enabled ({describe(value)})", value)
    return failed(f"dedicated data endpoints are disabled ({describe(value)})", value)


RULE = FunctionRule(META, check)
