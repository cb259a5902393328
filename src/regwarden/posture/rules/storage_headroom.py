"""RW-ACR-052: registry storage use is at most 90 % of its limit."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

THRESHOLD = 0.9

META = RuleMeta(
    id="RW-ACR-052",
    slug="storage-headroom",
    title="Storage headroom",
    severity=Severity.MEDIUM,
    category="hygiene",
    rationale=(
        "A full registry rejects pushes: the fix pipeline itself cannot ship. PSRule's Azure.ACR.Usage "
        "passes when no usage data was exported; here that is UNKNOWN, since nothing shows the headroom."
    ),
    remediation=Remediation(
        az="az acr show-usage --name <registry>  # purge old images or raise the SKU",
        bicep="sku: { name: 'Premium' }",
        terraform='sku = "Premium"',
    ),
    references=(Reference("PSRule", "Azure.ACR.Usage"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    usages = registry.usages
    if unknown := unknown_unless_known(usages):
        return unknown
    size = next((u for u in usages.value or () if u.name.casefold() == "size"), None)
    if size is None:
        return Check(Status.UNKNOWN, "no Size usage in the input", evidence(usages))
    current, limit = size.current, size.limit
    if unknown := unknown_unless_known(current, limit):
        return unknown
    if current.value is None or not limit.value:
        return Check(Status.UNKNOWN, "the Size usage has no current value or limit", evidence(current, limit))
    ratio = current.value / limit.value
    if ratio > THRESHOLD:
        return failed(f"storage is {ratio:.0%} full", current, limit)
    return passed(f"storage is {ratio:.0%} full", current, limit)


RULE = FunctionRule(META, check)
