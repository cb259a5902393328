"""ARM / az JSON → the neutral `Registry` model.

Accepts what ARM GET, `az ... show/list`, `az resource list` and the SDK's `serialize(keep_readonly=True)`
produce: registries and related resources in any order, children nested under the registry (`resources`,
`replications`, `tokens`, ...) or beside it (matched by id prefix, `registry/child` names, or a `scope`).

Completeness: a related resource type that appears anywhere in the input (even as an empty nested list such as
`"replications": []`) is taken as fully collected, so a registry with none of it gets an explicit empty tuple.
A type that never appears stays UNAVAILABLE ("not present in the input") and its rules give UNKNOWN. Types
named in `unavailable` (e.g. a 403 on role assignments) are UNAVAILABLE with that reason, whatever the input
holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from regwarden.collect import arm_children as children
from regwarden.collect import arm_related as related
from regwarden.collect.arm_keys import get, has, properties, to_str
from regwarden.collect.arm_registry import registry_fields
from regwarden.model.errors import BadInputError
from regwarden.model.registry import DefenderPlan, Registry, Value

REGISTRY = "microsoft.containerregistry/registries"
_CHILD = REGISTRY + "/"
USAGES = _CHILD + "usages"
PRIVATE_ENDPOINTS = "microsoft.network/privateendpoints"
_NESTED_KEYS = {
    "replications": _CHILD + "replications",
    "tokens": _CHILD + "tokens",
    "scopemaps": _CHILD + "scopemaps",
    "webhooks": _CHILD + "webhooks",
    "tasks": _CHILD + "tasks",
    "usages": USAGES,
    "diagnosticsettings": "microsoft.insights/diagnosticsettings",
    "roleassignments": "microsoft.authorization/roleassignments",
    "locks": "microsoft.authorization/locks",
    "assessments": "microsoft.security/assessments",
}
_ALERT_KINDS = {
    "microsoft.insights/activitylogalerts": "activityLogAlert",
    "microsoft.insights/scheduledqueryrules": "scheduledQueryRule",
    "microsoft.insights/metricalerts": "metricAlert",
}


@dataclass(frozen=True)
class _Item:
    kind: str
    """The folded full ARM type."""
    body: Mapping[str, Any]
    parent: str | None
    """The folded name of the registry it was nested under, if any."""


def registries_from_resources(
    resources: Iterable[Mapping[str, Any]], origin: str, *, unavailable: Mapping[str, str] | None = None
) -> list[Registry]:
    """Every registry in `resources`, with the related resources that belong to it attached."""
    items: list[_Item] = []
    present: set[str] = set()
    for index, resource in enumerate(resources):
        if not isinstance(resource, Mapping):
            raise BadInputError(f"{origin}: item {index} is not a JSON object")
        _flatten(resource, None, items, present)
    missing = {kind.casefold(): reason for kind, reason in (unavailable or {}).items()}
    registries = [item for item in items if item.kind == REGISTRY]
    single = len(registries) == 1
    return [_build(item.body, items, present, missing, origin, single) for item in registries]


def _type_of(resource: Mapping[str, Any], parent: str | None) -> str:
    kind = to_str(get(resource, "type"))
    if kind is None:
        # listUsages entries have no type; recognise them by shape.
        return USAGES if has(resource, "currentValue") and has(resource, "limit") else ""
    kind = kind.casefold()
    if parent is not None and "/" not in kind:
        return _CHILD + kind  # a template's nested child: `"type": "replications"`
    return kind


def _flatten(resource: Mapping[str, Any], parent: str | None, items: list[_Item], present: set[str]) -> None:
    kind = _type_of(resource, parent)
    items.append(_Item(kind, resource, parent))
    present.add(kind)
    if kind != REGISTRY:
        return
    name = (to_str(get(resource, "name")) or "").casefold()
    for child in _nested(resource, present):
        if isinstance(child[1], Mapping):
            inner = dict(child[1])
            inner.setdefault("type", child[0]) if child[0] else None
            _flatten(inner, name, items, present)


def _nested(resource: Mapping[str, Any], present: set[str]) -> list[tuple[str | None, Any]]:
    found: list[tuple[str | None, Any]] = [(None, r) for r in _as_list(get(resource, "resources"))]
    for key, value in resource.items():
        kind = _NESTED_KEYS.get(str(key).casefold())
        if kind is not None and isinstance(value, list | Mapping):
            present.add(kind)
            found.extend((kind, entry) for entry in _as_list(value))
    return found


def _as_list(node: Any) -> list[Any]:
    if isinstance(node, list):
        return node
    inner = get(node, "value")
    return inner if isinstance(inner, list) else []


def _belongs(item: _Item, reg_id: str, reg_name: str, single: bool) -> bool:
    """Whether a registry child (replication, token, diagnostic setting, ...) belongs to this registry."""
    if item.parent is not None:
        return item.parent == reg_name.casefold()
    child_id = (to_str(get(item.body, "id")) or "").casefold()
    if child_id:
        return child_id.startswith(reg_id.casefold() + "/")
    name = (to_str(get(item.body, "name")) or "").casefold()
    if "/" in name:
        return name.split("/")[0] == reg_name.casefold()
    scope = to_str(get(item.body, "scope")) or to_str(get(properties(item.body), "scope"))
    if scope:
        return related.scope_covers(scope, reg_id, reg_name) and "registries/" in scope.casefold()
    return single


def _build(
    body: Mapping[str, Any],
    items: list[_Item],
    present: set[str],
    missing: Mapping[str, str],
    origin: str,
    single: bool,
) -> Registry:
    fields = registry_fields(body, origin)
    reg_id, name = fields["id"], fields["name"]

    def of_type(kind: str) -> list[Mapping[str, Any]]:
        return [i.body for i in items if i.kind == kind and _belongs(i, reg_id, name, single)]

    def global_of(kind: str) -> list[Mapping[str, Any]]:
        return [i.body for i in items if i.kind == kind]

    def collected(kind: str, path: str, values: list[Any]) -> Value[tuple[Any, ...]]:
        if kind in missing:
            return Value.unavailable(path, missing[kind], origin)
        if kind not in present:
            return Value.unavailable(path, "not present in the input", origin)
        return Value.explicit(tuple(values), path, origin)

    def child_list(suffix: str, parse: Any) -> Value[tuple[Any, ...]]:
        kind = _CHILD + suffix.casefold()
        return collected(kind, f"registries/{suffix}", [parse(r, origin) for r in of_type(kind)])

    fields["replications"] = child_list("replications", children.parse_replication)
    fields["scope_maps"] = child_list("scopeMaps", children.parse_scope_map)
    fields["tokens"] = child_list("tokens", children.parse_token)
    fields["webhooks"] = child_list("webhooks", children.parse_webhook)
    fields["tasks"] = child_list("tasks", children.parse_task)
    fields["usages"] = collected(
        USAGES, "registries/listUsages", [children.parse_usage(r, origin) for r in of_type(USAGES)]
    )
    fields["private_endpoint_connections"] = _private_endpoints(body, items, of_type, missing, origin)
    _attach_related(fields, items, missing, of_type, global_of, collected, origin)
    return Registry(**fields)


def _private_endpoints(
    body: Mapping[str, Any], items: list[_Item], of_type: Any, missing: Mapping[str, str], origin: str
) -> Value[tuple[Any, ...]]:
    path = "properties.privateEndpointConnections"
    kind = _CHILD + "privateendpointconnections"
    if kind in missing:
        return Value.unavailable(path, missing[kind], origin)
    endpoints = {
        (to_str(get(i.body, "id")) or "").casefold(): i.body for i in items if i.kind == PRIVATE_ENDPOINTS
    }
    embedded = get(properties(body), "privateEndpointConnections")
    separate = of_type(kind)
    if embedded is None and not separate and not any(i.kind == kind for i in items):
        return Value.unavailable(path, "not present in the input", origin)
    connections = [*_as_list(embedded), *separate]
    parsed = [children.parse_private_endpoint_connection(c, origin, endpoints) for c in connections]
    return Value.explicit(tuple(parsed), path, origin)


def _attach_related(
    fields: dict[str, Any],
    items: list[_Item],
    missing: Mapping[str, str],
    of_type: Any,
    global_of: Any,
    collected: Any,
    origin: str,
) -> None:
    reg_id, name = fields["id"], fields["name"]

    def covering(kind: str, provider: str) -> list[Mapping[str, Any]]:
        return [
            r for r in global_of(kind) if related.scope_covers(related.scope_of(r, provider), reg_id, name)
        ]

    kind = "microsoft.insights/diagnosticsettings"
    fields["diagnostic_settings"] = collected(
        kind,
        "Microsoft.Insights/diagnosticSettings",
        [related.parse_diagnostic_setting(r, origin) for r in of_type(kind)],
    )
    kind = "microsoft.operationalinsights/workspaces"
    fields["workspaces"] = collected(
        kind,
        "Microsoft.OperationalInsights/workspaces",
        [related.parse_workspace(r, origin) for r in global_of(kind)],
    )
    kind = "microsoft.authorization/roleassignments"
    fields["role_assignments"] = collected(
        kind,
        "Microsoft.Authorization/roleAssignments",
        [
            related.parse_role_assignment(r, origin)
            for r in covering(kind, "Microsoft.Authorization/roleAssignments")
        ],
    )
    kind = "microsoft.authorization/locks"
    fields["locks"] = collected(
        kind,
        "Microsoft.Authorization/locks",
        [related.parse_lock(r, origin) for r in covering(kind, "Microsoft.Authorization/locks")],
    )
    kind = "microsoft.authorization/policyassignments"
    fields["policy_assignments"] = collected(
        kind,
        "Microsoft.Authorization/policyAssignments",
        [
            related.parse_policy_assignment(r, origin)
            for r in covering(kind, "Microsoft.Authorization/policyAssignments")
        ],
    )
    fields["assessments"] = _assessments(fields, global_of, collected, origin)
    fields["alert_rules"] = _alerts(fields, items, missing, origin)
    fields["defender"] = _defender(fields, global_of, collected, origin)


def _assessments(
    fields: dict[str, Any], global_of: Any, collected: Any, origin: str
) -> Value[tuple[Any, ...]]:
    kind = "microsoft.security/assessments"
    reg_id, name = fields["id"], fields["name"]
    mine = []
    for resource in global_of(kind):
        target = related.assessment_target(resource)
        if target is None or (
            related.scope_covers(target, reg_id, name) and "registries/" in target.casefold()
        ):
            mine.append(related.parse_assessment(resource, origin))
    return collected(kind, "Microsoft.Security/assessments", mine)  # type: ignore[no-any-return]


def _alerts(
    fields: dict[str, Any], items: list[_Item], missing: Mapping[str, str], origin: str
) -> Value[tuple[Any, ...]]:
    path = "Microsoft.Insights alert rules"
    for kind in _ALERT_KINDS:
        if kind in missing:
            return Value.unavailable(path, missing[kind], origin)
    if not any(i.kind in _ALERT_KINDS for i in items):
        return Value.unavailable(path, "not present in the input", origin)
    reg_id, name = fields["id"], fields["name"]
    rules = []
    for item in items:
        alert_kind = _ALERT_KINDS.get(item.kind)
        if alert_kind is None:
            continue
        scopes = related.alert_scopes(item.body)
        # An alert scoped to the subscription or resource group watches the registry too.
        if not scopes or any(related.scope_covers(s, reg_id, name) for s in scopes):
            rules.append(related.parse_alert_rule(item.body, alert_kind, origin))
    return Value.explicit(tuple(rules), path, origin)


def _defender(fields: dict[str, Any], global_of: Any, collected: Any, origin: str) -> Value[Any]:
    kind = "microsoft.security/pricings"
    path = "Microsoft.Security/pricings/Containers"
    availability = collected(kind, path, [])
    if not availability.known:
        return availability  # type: ignore[no-any-return]
    subscription = fields.get("subscription_id")
    for resource in global_of(kind):
        if (to_str(get(resource, "name")) or "").casefold() != "containers":
            continue
        resource_id = (to_str(get(resource, "id")) or "").casefold()
        if (
            subscription
            and resource_id.startswith("/subscriptions/")
            and subscription.casefold() not in resource_id
        ):
            continue
        return Value.explicit(related.parse_defender(resource, origin), path, origin)
    # The pricings list names every plan; a missing Containers entry means the plan was never enabled.
    return Value.default(DefenderPlan(Value.default("Free", path), Value.default(False, path)), path, origin)
