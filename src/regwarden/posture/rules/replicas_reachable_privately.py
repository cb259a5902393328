"""RW-ACR-015 (prod): every replica region is reachable through an approved private endpoint."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import PrivateEndpointConnection, Registry
from regwarden.posture.checks import evidence, failed, passed, region, skipped, text, unknown_unless_known
from regwarden.posture.rule import PROD_PROFILES, Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-015",
    slug="replicas-reachable-privately",
    title="Replicas reachable privately",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "Clients pull layers from the nearest replica's data endpoint; a replica region without a private "
        "endpoint forces those pulls over the public path (or fails them when public access is off). An "
        "endpoint "
        "covers a region when it sits there or its DNS configs name <registry>.<region>.data.azurecr.io. "
        "No anchor checks this."
    ),
    remediation=Remediation(
        az="az network private-endpoint create --location <replica-region> --group-id registry ...",
        bicep="// one Microsoft.Network/privateEndpoints per replica region, groupIds: [ 'registry' ]",
        terraform='resource "azurerm_private_endpoint" "acr_replica" { location = "<replica-region>" }',
    ),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    replicas, connections = registry.replications, registry.private_endpoint_connections
    if unknown := unknown_unless_known(replicas):
        return unknown
    if not replicas.value:
        return skipped("the registry has no replicas", replicas)
    if unknown := unknown_unless_known(connections):
        return unknown
    approved = [c for c in connections.value or () if c.status.known and text(c.status) == "approved"]
    regions = sorted({region(r.location.value) for r in replicas.value if r.location.known and r.location.value})
    uncovered = [r for r in regions if not any(_covers(c, registry.name, r) for c in approved)]
    if uncovered and any(c.location is None and not c.dns_fqdns for c in approved):
        message = f"private endpoint locations are not in the input; cannot place regions {', '.join(uncovered)}"
        return Check(Status.UNKNOWN, message, evidence(replicas, connections))
    if uncovered:
        return failed(f"replica regions without an approved private endpoint: {', '.join(uncovered)}", replicas)
    return passed(f"every replica region has a private endpoint: {', '.join(regions)}", replicas, connections)


def _covers(connection: PrivateEndpointConnection, registry_name: str, wanted: str) -> bool:
    if connection.location and region(connection.location) == wanted:
        return True
    data_endpoint = f"{registry_name}.{wanted}.data.azurecr.io".casefold()
    return any(f.casefold() == data_endpoint for f in connection.dns_fqdns)


RULE = FunctionRule(META, check)
