"""RW-ACR-025: Defender for Containers is on, with registry vulnerability assessments enabled."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-025",
    slug="defender-for-containers-on",
    title="Defender for Containers on",
    severity=Severity.HIGH,
    category="supply-chain",
    rationale=(
        "The Containers plan scans pushed and pulled images. The plan alone is not enough: the "
        "ContainerRegistriesVulnerabilityAssessments extension must be on. CKV_AZURE_86 checks the retired "
        "'Container Registry' plan, which no longer scans; CKV_AZURE_163 'vulnerability scanning' only "
        "checks the SKU. Neither is followed here: only the Containers plan with the extension scans images."
    ),
    remediation=Remediation(
        az="az security pricing create --name Containers --tier Standard",
        bicep=(
            "resource p 'Microsoft.Security/pricings@2024-01-01' = { name: 'Containers', properties: { "
            "pricingTier: 'Standard' } }"
        ),
        terraform=(
            'resource "azurerm_security_center_subscription_pricing" "c" { tier = "Standard" resource_type '
            '= "Containers" }'
        ),
    ),
    references=(
        Reference("PSRule", "Azure.Defender.Containers"),
        Reference("Prowler", "defender_ensure_defender_for_containers_is_on"),
        Reference("Azure Policy", "1c988dd6"),
        Reference("Checkov", "CKV_AZURE_86 (checks the retired plan)"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    defender = registry.defender
    if unknown := unknown_unless_known(defender):
        return unknown
    assert defender.value is not None  # known DefenderPlan values are always set by the adapters
    tier, extension = defender.value.pricing_tier, defender.value.registry_assessments_extension
    if tier.known and text(tier) != "standard":
        return failed(f"Defender for Containers is off ({describe(tier)})", tier)
    if extension.known and not extension.value:
        return failed(f"registry vulnerability assessments are off ({describe(extension)})", tier, extension)
    if unknown := unknown_unless_known(tier, extension):
        return unknown
    return passed("Defender for Containers is on with registry vulnerability assessments", tier, extension)


RULE = FunctionRule(META, check)
