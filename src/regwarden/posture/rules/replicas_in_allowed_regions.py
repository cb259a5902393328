"""RW-ACR-041: every replica is in a region the configuration allows (data residency)."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, region, skipped, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-041",
    slug="replicas-in-allowed-regions",
    title="Replicas in allowed regions",
    severity=Severity.MEDIUM,
    category="resilience",
    rationale=(
        "Replicas copy every image into their region; residency rules decide where that may be. Without "
        "allowed_regions configured the rule has nothing to compare with and is skipped."
    ),
    remediation=Remediation(
        az="az acr replication delete --registry <registry> --name <replica>",
        bicep="// declare replications only in allowed regions",
        terraform="# remove georeplications blocks outside the allowed regions",
    ),
    references=(Reference("PSRule", "Azure.ACR.ReplicaLocation"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    allowed = {region(r) for r in context.config.allowed_regions}
    if not allowed:
        return skipped("no allowed_regions configured")
    replicas = registry.replications
    if unknown := unknown_unless_known(replicas):
        return unknown
    if not replicas.value:
        return skipped("the registry has no replicas", replicas)
    unplaced = [r.name for r in replicas.value if not r.location.known or not r.location.value]
    outside = sorted(
        {
            region(r.location.value)
            for r in replicas.value
            if r.location.value and region(r.location.value) not in allowed
        }
    )
    if outside:
        return failed(f"replicas outside the allowed regions: {', '.join(outside)}", replicas)
    if unplaced:
        return Check(Status.UNKNOWN, f"replica location unknown: {', '.join(unplaced)}", evidence(replicas))
    return passed("every replica is in an allowed region", replicas)


RULE = FunctionRule(META, check)
