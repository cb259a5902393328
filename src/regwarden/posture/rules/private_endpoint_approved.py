"""RW-ACR-014 (prod): the registry has at least one approved private endpoint connection."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
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
    id="RW-ACR-014",
    slug="private-endpoint-approved",
    title="Private endpoint approved",
    severity=Severity.HIGH,
    category="network",
    rationale=(
        "Only an Approved connection carries traffic; Pending or Rejected ones look configured but are "
        "not. Prowler counts any connection, and so does azqr's cr-004 (its own test passes a connection "
        "that has only an id); we require Approved, and a connection whose state is not in the input is "
        "UNKNOWN."
    ),
    remediation=Remediation(
        az=(
            "az network private-endpoint create --group-id registry --private-connection-resource-id <registry-id> ..."
        ),
        bicep=("resource pe 'Microsoft.Network/privateEndpoints@2023-09-01' = { ... groupIds: [ 'registry' ] }"),
        terraform=(
            'resource "azurerm_private_endpoint" "acr" { private_service_connection { subresource_names = '
            '["registry"] } }'
        ),
    ),
    references=(
        Reference("Prowler", "containerregistry_uses_private_link"),
        Reference("Azure Policy", "e8eef0a8"),
        Reference("azqr", "cr-004"),
    ),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    connections = registry.private_endpoint_connections
    if unknown := unknown_unless_known(connections):
        return unknown
    items = connections.value or ()
    approved = [c.name for c in items if c.status.known and text(c.status) == "approved"]
    if approved:
        return passed(f"approved private endpoint connections: {', '.join(approved)}", connections)
    unknown_states = [c.name for c in items if not c.status.known]
    if unknown_states:
        message = f"connection state unknown for: {', '.join(unknown_states)}"
        return Check(Status.UNKNOWN, message, evidence(connections))
    states = ", ".join(f"{c.name}={c.status.value}" for c in items) or "none"
    return failed(f"no approved private endpoint connection ({states})", connections)


RULE = FunctionRule(META, check)
