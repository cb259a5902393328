"""RW-ACR-040 (prod): a replica exists in a region other than the registry's."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import failed, passed, region, unknown_unless_known
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
    id="RW-ACR-040",
    slug="geo-replicated",
    title="Geo-replicated",
    severity=Severity.LOW,
    category="resilience",
    rationale=(
        "A regional outage stops every deployment that pulls from a single-region registry. The home "
        "region's "
        "own replication does not count. Geo-replication needs Premium."
    ),
    remediation=Remediation(
        az="az acr replication create --registry <registry> --location <other-region>",
        bicep=(
            "resource r 'Microsoft.ContainerRegistry/registries/replications@2023-07-01' = { location: "
            "'<other-region>' }"
        ),
        terraform='georeplications { location = "<other-region>" }',
    ),
    references=(
        Reference("PSRule", "Azure.ACR.GeoReplica"),
        Reference("Checkov", "CKV_AZURE_165"),
        Reference("APRL", "36ea6c09"),
    ),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    replicas, home = registry.replications, registry.location
    if unknown := unknown_unless_known(replicas, home):
        return unknown
    others = sorted(
        {
            region(r.location.value)
            for r in replicas.value or ()
            if r.location.known and r.location.value and region(r.location.value) != region(str(home.value))
        }
    )
    if others:
        return passed(f"replicated to {', '.join(others)}", replicas, home)
    return failed(f"no replica outside the home region {home.value}", replicas, home)


RULE = FunctionRule(META, check)
