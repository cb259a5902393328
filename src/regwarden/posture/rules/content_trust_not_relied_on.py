"""RW-ACR-023: Docker Content Trust (being retired) is not what the registry relies on for signing."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-023",
    slug="content-trust-not-relied-on",
    title="Docker Content Trust not relied on",
    severity=Severity.LOW,
    category="supply-chain",
    rationale=(
        "ACR is retiring Docker Content Trust; Notation (Notary Project) signatures replace it. "
        "Checkov's CKV_AZURE_164 still requires DCT and PSRule deprecated its Azure.ACR.ContentTrust "
        "rule (which passes when DCT is on): we follow the platform and flag DCT as something to migrate "
        "away from."
    ),
    remediation=Remediation(
        az="az acr config content-trust update --registry <registry> --status disabled  # sign with notation",
        bicep="properties: { policies: { trustPolicy: { status: 'disabled' } } }",
        terraform="trust_policy_enabled = false",
    ),
    references=(
        Reference("PSRule", "Azure.ACR.ContentTrust (deprecated)"),
        Reference("Checkov", "CKV_AZURE_164 (disagrees: requires DCT)"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.trust_policy_status
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) == "enabled":
        return failed(
            f"Docker Content Trust is enabled ({describe(value)}); it is being retired, sign with Notation",
            value,
        )
    return passed(f"Docker Content Trust is not in use ({describe(value)})", value)


RULE = FunctionRule(META, check)
