"""RW-ACR-040 (prod): a replica exists in a region other than the registry's."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, region, sku_unreadable, text, unknown_unless_known
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
        "region's own replication does not count. Geo-replication needs Premium: a Basic or Standard registry "
        "fails whatever replicas the input declares (ARM would refuse them; PSRule's Azure.ACR.GeoReplica "
        "passes a Standard registry exported with replicas), and a SKU that is present but cannot be read is "
        "UNKNOWN. PSRule's Azure.ACR.GeoReplica fails a registry exported without child resources; here "
        "replications must be in the input (they are when any registry of the export carries them), otherwise "
        "UNKNOWN. "
        "Checkov's ARM CKV_AZURE_165 inspects replication resources for a Terraform-style "
        "georeplications attribute that ARM does not have, so its ARM verdicts are not comparable. Its "
        "Terraform check passes a georeplications block whose region is not known; that is UNKNOWN here."
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


_NO_REPLICAS = frozenset({"basic", "standard", "classic"})
"""SKUs that cannot have geo-replicas."""


def check(registry: Registry, context: RuleContext) -> Check:
    replicas, home, sku = registry.replications, registry.location, registry.sku
    if unknown := sku_unreadable(registry):
        return unknown
    if sku.known and text(sku) in _NO_REPLICAS:
        return failed(f"a {sku.value} registry cannot have geo-replicas: geo-replication needs Premium", sku)
    if unknown := unknown_unless_known(replicas):
        return unknown
    regions = {region(r.location.value) for r in replicas.value or () if r.location.known and r.location.value}
    # Two distinct replica regions cannot both be the home region, so an unknown home only matters for one;
    # with no replica at all, none can be elsewhere whatever the home region is.
    if len(regions) == 1 and (unknown := unknown_unless_known(home)):
        return unknown
    home_region = region(str(home.value)) if home.known else None
    others = sorted(r for r in regions if r != home_region)
    if others:
        where = "" if home.known else " (home region unknown, at least one of them is elsewhere)"
        return passed(f"replicated to {', '.join(others)}{where}", replicas, home)
    # A replica whose region could not be read may be the one outside the home region: not a failure.
    unread = [r for r in replicas.value or () if not (r.location.known and r.location.value)]
    if unread:
        locations = [r.location for r in unread]
        names = ", ".join(f"{r.name} ({r.location.reason or r.location.source.value})" for r in unread)
        message = f"no known replica outside the home region {home.value}; region not known for: {names}"
        return Check(Status.UNKNOWN, message, evidence(replicas, home, *locations))
    if not home.known:
        return failed("the registry has no replicas", replicas)
    return failed(f"no replica outside the home region {home.value}", replicas, home)


RULE = FunctionRule(META, check)
