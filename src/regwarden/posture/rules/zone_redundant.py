"""RW-ACR-042: the registry and every replica are zone redundant."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-042",
    slug="zone-redundant",
    title="Zone redundant",
    severity=Severity.LOW,
    category="resilience",
    rationale=(
        "The API documents the default as Disabled, so absent fails here (Checkov's ARM and Terraform "
        "zone-redundancy checks disagree on an absent value). Newer regions make registries zone "
        "redundant regardless, but the property does not say so. Zone redundancy is set at creation "
        "only. Checkov's CKV_AZURE_233 judges the registry and each replication separately: a registry "
        "declared Enabled passes there even when its replicas are not in the input (UNKNOWN here), and a "
        'value wrapped in a list (`["disabled"]`, not valid ARM) fails there and is UNKNOWN here. A template '
        "of replications alone (the registry deployed elsewhere) fails on a replica that is not redundant and is "
        "otherwise UNKNOWN: the registry's own setting is not in it."
    ),
    remediation=Remediation(
        az="az acr create --name <registry> --sku Premium --zone-redundancy enabled  # recreate",
        bicep="properties: { zoneRedundancy: 'Enabled' }",
        terraform="zone_redundancy_enabled = true",
    ),
    references=(
        Reference("Checkov", "CKV_AZURE_233"),
        Reference("Azure Policy", "9d2b0a20"),
        Reference("APRL", "63491f70"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    home, replicas = registry.zone_redundancy, registry.replications
    if home.known and text(home) != "enabled":
        return failed(f"the registry is not zone redundant ({describe(home)})", home)
    known_replicas = replicas.value or () if replicas.known else ()
    not_redundant = [r.name for r in known_replicas if r.zone_redundancy.known and text(r.zone_redundancy) != "enabled"]
    if not_redundant:
        return failed(f"replicas not zone redundant: {', '.join(not_redundant)}", home, replicas)
    if unknown := unknown_unless_known(home, replicas, *(r.zone_redundancy for r in known_replicas)):
        return unknown
    return passed("the registry and every replica are zone redundant", home, replicas)


RULE = FunctionRule(META, check)
