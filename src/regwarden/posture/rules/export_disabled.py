"""RW-ACR-018: artifact export (pipelines, import into other registries) is disabled."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-018",
    slug="export-disabled",
    title="Export disabled",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "With export enabled (the service default) anyone with import rights elsewhere can copy images out, "
        "around the network controls. Disabling it requires public access Disabled and Premium; a template "
        "that disables export with public access on is rejected by the service, so it fails here, as in "
        "PSRule's Azure.ACR.ExportPolicy."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --allow-exports false",
        bicep="properties: { policies: { exportPolicy: { status: 'disabled' } } }",
        terraform="export_policy_enabled = false",
    ),
    references=(Reference("PSRule", "Azure.ACR.ExportPolicy"), Reference("Azure Policy", "524b0254")),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value, access = registry.export_policy_status, registry.public_network_access
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) != "disabled":
        return failed(f"export is enabled ({describe(value)})", value)
    if unknown := unknown_unless_known(access):
        return unknown
    if text(access) != "disabled":
        # The service rejects this combination, so the declared setting never takes effect.
        return failed(
            f"export is declared disabled, which needs public network access Disabled ({describe(access)})",
            value,
            access,
        )
    return passed(f"export is disabled ({describe(value)}) behind disabled public access", value, access)


RULE = FunctionRule(META, check)
