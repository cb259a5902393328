"""ARM / az JSON → the neutral `Registry` model.

Accepts what ARM GET, `az ... show/list`, `az resource list` and the SDK's `serialize(keep_readonly=True)`
produce: registries and related resources in any order, children nested under the registry (`resources`,
`replications`, `tokens`, ...) or beside it (matched by id prefix, `registry/child` names, or a `scope`).

Completeness: a related resource type that appears anywhere in the input (even as an empty nested list such as
`"replications": []`) is taken as fully collected, so a registry with none of it gets an explicit empty tuple.
A type that never appears stays UNAVAILABLE ("not present in the input") and its rules give UNKNOWN. Types
named in `unavailable` (e.g. a 403 on role assignments) are UNAVAILABLE with that reason, whatever the input
holds. Log Analytics workspaces and Defender pricing are subscription-wide and seen by every registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from regwarden.collect.azure import children, related
from regwarden.collect.azure.inventory import CHILD, REGISTRY, USAGES, Inventory
from regwarden.collect.azure.keys import as_list, get, properties
from regwarden.collect.azure.registry import registry_fields
from regwarden.collect.coerce import to_str
from regwarden.model.arm_id import fold_id, scope_covers
from regwarden.model.registry import AlertRule, DefenderPlan, PrivateEndpointConnection, Registry, Value

__all__ = ["REGISTRY", "registries_from_resources"]

PRIVATE_ENDPOINTS = "microsoft.network/privateendpoints"
_PE_CONNECTIONS = CHILD + "privateendpointconnections"
_PRICINGS = "microsoft.security/pricings"
_ALERT_KINDS = {
    "microsoft.insights/activitylogalerts": "activityLogAlert",
    "microsoft.insights/scheduledqueryrules": "scheduledQueryRule",
    "microsoft.insights/metricalerts": "metricAlert",
}


def registries_from_resources(
    resources: Iterable[Mapping[str, Any]], origin: str, *, unavailable: Mapping[str, str] | None = None
) -> list[Registry]:
    """Every registry in `resources`, with the related resources that belong to it attached."""
    inventory = Inventory.of(resources, origin, unavailable or {})
    shared = _Shared.of(inventory)
    return [_build(body, inventory, shared) for body in inventory.registries()]


@dataclass(frozen=True)
class _Shared:
    """What every registry of one input sees alike, read once rather than once per registry."""

    endpoints: Mapping[str, Mapping[str, Any]]
    """Microsoft.Network/privateEndpoints by folded id."""
    alerts: tuple[tuple[tuple[str, ...], AlertRule], ...]
    """Every alert rule with its folded, normalised scopes."""

    @classmethod
    def of(cls, inv: Inventory) -> _Shared:
        endpoints = {fold_id(to_str(get(e, "id")) or ""): e for e in inv.all_of(PRIVATE_ENDPOINTS)}
        alerts = tuple(
            (
                tuple(fold_id(s) for s in related.alert_scopes(body)),
                related.parse_alert_rule(body, label, inv.origin),
            )
            for kind, label in _ALERT_KINDS.items()
            for body in inv.all_of(kind)
        )
        return cls(endpoints, alerts)


def _build(body: Mapping[str, Any], inv: Inventory, shared: _Shared) -> Registry:
    fields = registry_fields(body, inv.origin)
    reg_id, name, origin = fields["id"], fields["name"], inv.origin

    def mine(suffix: str) -> list[Mapping[str, Any]]:
        return inv.children_of(CHILD + suffix.casefold(), reg_id, name)

    def child_path(suffix: str) -> tuple[str, str]:
        return CHILD + suffix.casefold(), f"registries/{suffix}"

    fields["replications"] = inv.collected(
        *child_path("replications"), (children.parse_replication(r, origin) for r in mine("replications"))
    )
    fields["scope_maps"] = inv.collected(
        *child_path("scopeMaps"), (children.parse_scope_map(r, origin) for r in mine("scopeMaps"))
    )
    fields["tokens"] = inv.collected(*child_path("tokens"), (children.parse_token(r, origin) for r in mine("tokens")))
    fields["webhooks"] = inv.collected(
        *child_path("webhooks"), (children.parse_webhook(r, origin) for r in mine("webhooks"))
    )
    fields["tasks"] = inv.collected(*child_path("tasks"), (children.parse_task(r, origin) for r in mine("tasks")))
    fields["usages"] = inv.collected(
        USAGES, "registries/listUsages", (children.parse_usage(r, origin) for r in mine("usages"))
    )
    fields["private_endpoint_connections"] = _private_endpoints(body, inv, shared, reg_id, name)
    _attach_monitoring(fields, inv, shared)
    _attach_governance(fields, inv)
    return Registry(**fields)


def _private_endpoints(
    body: Mapping[str, Any], inv: Inventory, shared: _Shared, reg_id: str, name: str
) -> Value[tuple[PrivateEndpointConnection, ...]]:
    path = "properties.privateEndpointConnections"
    if _PE_CONNECTIONS in inv.missing:
        return Value.unavailable(path, inv.missing[_PE_CONNECTIONS], inv.origin)
    embedded = get(properties(body), "privateEndpointConnections")
    separate = inv.children_of(_PE_CONNECTIONS, reg_id, name)
    if embedded is None and _PE_CONNECTIONS not in inv.present:
        return Value.unavailable(path, "not present in the input", inv.origin)
    # Joining the Microsoft.Network/privateEndpoints resources gives each connection its region and DNS names.
    connections = [*as_list(embedded), *separate]
    parsed = (children.parse_private_endpoint_connection(c, inv.origin, shared.endpoints) for c in connections)
    return Value.explicit(tuple(parsed), path, inv.origin)


def _attach_monitoring(fields: dict[str, Any], inv: Inventory, shared: _Shared) -> None:
    reg_id, name, origin = fields["id"], fields["name"], inv.origin
    kind = "microsoft.insights/diagnosticsettings"
    settings = inv.collected(
        kind,
        "Microsoft.Insights/diagnosticSettings",
        (related.parse_diagnostic_setting(r, origin) for r in inv.children_of(kind, reg_id, name)),
    )
    fields["diagnostic_settings"] = settings
    kind = "microsoft.operationalinsights/workspaces"
    fields["workspaces"] = inv.collected(
        kind,
        "Microsoft.OperationalInsights/workspaces",
        (related.parse_workspace(r, origin) for r in inv.all_of(kind)),
    )
    # Log alerts usually live beside the workspace (often another resource group): the diagnostic
    # settings' workspace ids are what relate them to this registry.
    workspaces = {fold_id(s.workspace_id) for s in settings.value or () if s.workspace_id}
    fields["alert_rules"] = _alerts(inv, shared, reg_id, name, workspaces)


def _attach_governance(fields: dict[str, Any], inv: Inventory) -> None:
    reg_id, name, origin = fields["id"], fields["name"], inv.origin
    kind = "microsoft.authorization/roleassignments"
    fields["role_assignments"] = inv.collected(
        kind,
        "Microsoft.Authorization/roleAssignments",
        (
            related.parse_role_assignment(r, origin)
            for r in inv.covering(kind, "Microsoft.Authorization/roleAssignments", reg_id, name)
        ),
    )
    kind = "microsoft.authorization/locks"
    fields["locks"] = inv.collected(
        kind,
        "Microsoft.Authorization/locks",
        (related.parse_lock(r, origin) for r in inv.covering(kind, "Microsoft.Authorization/locks", reg_id, name)),
    )
    kind = "microsoft.authorization/policyassignments"
    fields["policy_assignments"] = inv.collected(
        kind,
        "Microsoft.Authorization/policyAssignments",
        (
            related.parse_policy_assignment(r, origin)
            for r in inv.covering(kind, "Microsoft.Authorization/policyAssignments", reg_id, name)
        ),
    )
    kind = "microsoft.security/assessments"
    fields["assessments"] = inv.collected(
        kind,
        "Microsoft.Security/assessments",
        (related.parse_assessment(r, origin) for r in inv.all_of(kind) if _assessed(r, reg_id, name)),
    )
    fields["defender"] = _defender(inv, fields.get("subscription_id"))


def _assessed(resource: Mapping[str, Any], reg_id: str, name: str) -> bool:
    target = related.assessment_target(resource)
    return target is None or ("registries/" in target.casefold() and scope_covers(target, reg_id, name))


def _alerts(
    inv: Inventory, shared: _Shared, reg_id: str, name: str, workspaces: set[str]
) -> Value[tuple[AlertRule, ...]]:
    path = "Microsoft.Insights alert rules"
    for kind in _ALERT_KINDS:
        if kind in inv.missing:
            return Value.unavailable(path, inv.missing[kind], inv.origin)
    if not inv.present.intersection(_ALERT_KINDS):
        return Value.unavailable(path, "not present in the input", inv.origin)
    # An alert at the subscription or resource group watches the registry too; so does a log alert on a
    # workspace the registry's diagnostic settings send to.
    rules = tuple(
        rule
        for scopes, rule in shared.alerts
        if not scopes or any(s in workspaces or scope_covers(s, reg_id, name) for s in scopes)
    )
    return Value.explicit(rules, path, inv.origin)


def _defender(inv: Inventory, subscription: str | None) -> Value[DefenderPlan]:
    path = "Microsoft.Security/pricings/Containers"
    if _PRICINGS in inv.missing:
        return Value.unavailable(path, inv.missing[_PRICINGS], inv.origin)
    if _PRICINGS not in inv.present:
        return Value.unavailable(path, "not present in the input", inv.origin)
    found = next((r for r in inv.all_of(_PRICINGS) if _is_containers_plan(r, subscription)), None)
    if found is not None:
        return Value.explicit(related.parse_defender(found, inv.origin), path, inv.origin)
    # A pricings list names every plan; a missing Containers entry means the plan was never turned on.
    plan = DefenderPlan(Value.default("Free", path, inv.origin), Value.default(False, path, inv.origin))
    return Value.default(plan, path, inv.origin)


def _is_containers_plan(resource: Mapping[str, Any], subscription: str | None) -> bool:
    """The Containers pricing of the registry's subscription; an id naming no subscription is taken as it."""
    if (to_str(get(resource, "name")) or "").casefold() != "containers":
        return False
    resource_id = fold_id(to_str(get(resource, "id")) or "")
    if not subscription or not resource_id.startswith("/subscriptions/"):
        return True
    return f"/subscriptions/{subscription}/".casefold() in resource_id + "/"
