"""ARM / az JSON → the neutral `Registry` model.

Accepts what ARM GET, `az ... show/list`, `az resource list` and the SDK's `serialize(keep_readonly=True)`
produce: registries and related resources in any order, children nested under the registry (`resources`,
`replications`, `tokens`, ...) or beside it (matched by id prefix, `registry/child` names, or a `scope`).

Completeness: a related resource type that appears anywhere in the input (even as an empty nested list such as
`"replications": []`) is taken as fully collected, so a registry with none of it gets an explicit empty tuple.
A type that never appears stays UNAVAILABLE ("not present in the input") and its rules give UNKNOWN. Types
named in `unavailable` (e.g. a 403 on role assignments) are UNAVAILABLE with that reason, whatever the input
holds. Log Analytics workspaces and Defender pricing are subscription-wide and seen by every registry.

Children whose registry is not in the input (a template or export of replications only, say) are audited under
the registry they name (see `parents`): its own properties are UNAVAILABLE with that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from regwarden.collect.azure import children, related
from regwarden.collect.azure.inventory import CHILD, CHILD_KINDS, REGISTRY, USAGES, Inventory, Item
from regwarden.collect.azure.keys import as_list, get, properties
from regwarden.collect.azure.parents import ParentRef, unlisted_parents
from regwarden.collect.azure.registry import registry_fields, unlisted_registry_fields
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
    listed = [_build_listed(body, inventory, shared) for body in inventory.registries()]
    # Only once every listed registry has taken its children are the rest known to belong elsewhere.
    orphans = inventory.unclaimed((*CHILD_KINDS, _PE_CONNECTIONS))
    groups = unlisted_parents(orphans, {registry.name.casefold() for registry in listed})
    return listed + [_build_unlisted(ref, children, inventory, shared) for ref, children in groups]


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


def _build_listed(body: Mapping[str, Any], inv: Inventory, shared: _Shared) -> Registry:
    fields = registry_fields(body, inv.origin)
    reg_id, name = fields["id"], fields["name"]

    def mine(kind: str) -> list[Mapping[str, Any]]:
        return inv.children_of(kind, reg_id, name)

    embedded = get(properties(body), "privateEndpointConnections")
    return _build(fields, mine, embedded, "not present in the input", inv, shared)


def _build_unlisted(ref: ParentRef, children_of_it: list[Item], inv: Inventory, shared: _Shared) -> Registry:
    fields = unlisted_registry_fields(ref.name, ref.id, inv.origin, ref.reason)

    def mine(kind: str) -> list[Mapping[str, Any]]:
        return [child.body for child in children_of_it if child.kind == kind]

    return _build(fields, mine, None, ref.reason, inv, shared)


def _build(
    fields: dict[str, Any],
    mine: Callable[[str], list[Mapping[str, Any]]],
    embedded_connections: Any,
    absent: str,
    inv: Inventory,
    shared: _Shared,
) -> Registry:
    """`mine(kind)` gives the registry's children of a folded type; `absent` says why a connection list that is
    neither embedded nor in the input is unknown."""
    origin = inv.origin

    def child_path(suffix: str) -> tuple[str, str]:
        return CHILD + suffix.casefold(), f"registries/{suffix}"

    def parsed(suffix: str, parse: Callable[[Mapping[str, Any], str], Any]) -> Value[tuple[Any, ...]]:
        kind, path = child_path(suffix)
        return inv.collected(kind, path, (parse(r, origin) for r in mine(kind)))

    fields["replications"] = parsed("replications", children.parse_replication)
    fields["scope_maps"] = parsed("scopeMaps", children.parse_scope_map)
    fields["tokens"] = parsed("tokens", children.parse_token)
    fields["webhooks"] = parsed("webhooks", children.parse_webhook)
    fields["tasks"] = parsed("tasks", children.parse_task)
    fields["usages"] = inv.collected(
        USAGES, "registries/listUsages", (children.parse_usage(r, origin) for r in mine(USAGES))
    )
    connections = _private_endpoints(embedded_connections, mine(_PE_CONNECTIONS), absent, inv, shared)
    fields["private_endpoint_connections"] = connections
    _attach_monitoring(fields, inv, shared)
    _attach_governance(fields, inv)
    return Registry(**fields)


def _private_endpoints(
    embedded: Any, separate: list[Mapping[str, Any]], absent: str, inv: Inventory, shared: _Shared
) -> Value[tuple[PrivateEndpointConnection, ...]]:
    path = "properties.privateEndpointConnections"
    if _PE_CONNECTIONS in inv.missing:
        return Value.unavailable(path, inv.missing[_PE_CONNECTIONS], inv.origin)
    if embedded is None and _PE_CONNECTIONS not in inv.present:
        return Value.unavailable(path, absent, inv.origin)
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
