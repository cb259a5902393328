"""Terraform resources (plan, state or source, as `TfResource`s) → `Registry` objects with their children and
related resources attached.

Linking follows the configuration: a child belongs to a registry when its linking attribute refers to the
registry resource (`container_registry_id = azurerm_container_registry.acr.id`), or holds its literal name or
id. Completeness: a resource type declared nowhere in the input is UNAVAILABLE ("not declared"), since it may
be managed elsewhere; a declared type gives an explicit (possibly empty) list. Counted resources
(`count`/`for_each`) share one base address, so a reference to it links every instance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from regwarden.collect.terraform import children, related
from regwarden.collect.terraform.common import TfResource, Unknown, lookup
from regwarden.collect.terraform.index import Index
from regwarden.collect.terraform.registry import registry_fields
from regwarden.model.arm_id import fold_id, scope_covers
from regwarden.model.registry import Registry, Value

REGISTRY = "azurerm_container_registry"
_LINKS = {
    children.SCOPE_MAP: "container_registry_name",
    children.TOKEN: "container_registry_name",
    "azurerm_container_registry_webhook": "registry_name",
    "azurerm_container_registry_task": "container_registry_id",
    "azurerm_monitor_diagnostic_setting": "target_resource_id",
}
_SUBSCRIPTION_TYPES = ("azurerm_subscription", "azurerm_client_config")
_RESOURCE_GROUP = "azurerm_resource_group"
PRIVATE_ENDPOINT = "azurerm_private_endpoint"
PRICING = "azurerm_security_center_subscription_pricing"


def registries_from_tf_resources(resources: Sequence[TfResource], origin: str) -> list[Registry]:
    index = Index(resources)
    registries = index.of_type(REGISTRY)
    single = len(registries) == 1
    return [_build(registry, index, origin, single) for registry in registries]


def _build(registry: TfResource, index: Index, origin: str, single: bool) -> Registry:
    fields = registry_fields(registry, origin)
    name = fields["name"]

    texts = [name.casefold(), fold_id(str(fields["id"]))]

    def mine(kind: str) -> list[TfResource]:
        return index.linked(kind, _LINKS[kind], registry.base, texts, single)

    def collected(kind: str, items: Callable[[], list[Any]]) -> Value[tuple[Any, ...]]:
        if not index.declared(kind):
            return Value.unavailable(kind, "not declared in this configuration", origin)
        return Value.explicit(tuple(items()), kind, origin)

    fields["scope_maps"] = collected(
        children.SCOPE_MAP, lambda: [children.parse_scope_map(r, origin) for r in mine(children.SCOPE_MAP)]
    )
    fields["tokens"] = collected(
        children.TOKEN, lambda: [children.parse_token(r, origin, index) for r in mine(children.TOKEN)]
    )
    kind = "azurerm_container_registry_webhook"
    fields["webhooks"] = collected(kind, lambda: [children.parse_webhook(r, origin) for r in mine(kind)])
    task = "azurerm_container_registry_task"
    fields["tasks"] = collected(task, lambda: [children.parse_task(r, origin) for r in mine(task)])
    fields["private_endpoint_connections"] = collected(
        PRIVATE_ENDPOINT, lambda: _private_endpoints(registry, name, index, origin, single)
    )
    workspaces = {w.base: w for w in index.of_type(related.WORKSPACE)}
    diagnostic = "azurerm_monitor_diagnostic_setting"
    fields["diagnostic_settings"] = collected(
        diagnostic,
        lambda: [related.parse_diagnostic_setting(r, origin, workspaces) for r in mine(diagnostic)],
    )
    fields["workspaces"] = collected(
        related.WORKSPACE, lambda: [related.parse_workspace(w, origin) for w in workspaces.values()]
    )
    _attach_scoped(fields, registry, index, origin)
    return Registry(**fields)


def _attach_scoped(fields: dict[str, Any], registry: TfResource, index: Index, origin: str) -> None:
    """Resources that apply to the registry by scope: RBAC, locks, alerts, Defender (subscription-wide)."""

    def covering(kind: str, attribute: str) -> list[tuple[TfResource, str]]:
        # Those naming this registry directly, plus those naming no registry (group, subscription, literal).
        links = index.links(kind, attribute)
        direct = [(r, f"{registry.base}.id") for r in links.by_reference.get(registry.base, [])]
        others = index.not_naming(kind, attribute, REGISTRY)
        found = [(r, scope) for r in others if (scope := _covers(r, attribute, registry, fields, index))]
        return direct + found

    def collected(kind: str, items: Callable[[], list[Any]]) -> Value[tuple[Any, ...]]:
        if not index.declared(kind):
            return Value.unavailable(kind, "not declared in this configuration", origin)
        return Value.explicit(tuple(items()), kind, origin)

    role = "azurerm_role_assignment"
    fields["role_assignments"] = collected(
        role, lambda: [related.parse_role_assignment(r, origin, s) for r, s in covering(role, "scope")]
    )
    lock = "azurerm_management_lock"
    fields["locks"] = collected(lock, lambda: [related.parse_lock(r, origin, s) for r, s in covering(lock, "scope")])
    # Log alerts are scoped to the workspace the registry's logs go to, activity-log alerts to the
    # subscription: every alert counts unless it names a different registry.
    alerts = [
        related.parse_alert(r, origin)
        for kind in related.ALERT_KINDS
        for r in index.links(kind, "scopes").by_reference.get(registry.base, [])
        + index.not_naming(kind, "scopes", REGISTRY)
    ]
    if any(index.declared(kind) for kind in related.ALERT_KINDS):
        fields["alert_rules"] = Value.explicit(tuple(alerts), "azurerm_monitor_*_alert", origin)
    else:
        fields["alert_rules"] = Value.unavailable("azurerm_monitor_*_alert", "no alert rules declared", origin)
    pricing = [r for r in index.of_type(PRICING) if related.is_containers_pricing(r)]
    if pricing:
        fields["defender"] = Value.explicit(related.parse_defender(pricing[0], origin), pricing[0].base, origin)
    else:
        fields["defender"] = Value.unavailable(
            f"{PRICING} (resource_type = Containers)", "Defender for Containers pricing not declared", origin
        )


def _targets(child: TfResource, attribute: str, registry: TfResource, name: str, single: bool) -> bool:
    if child.refers_to(attribute, registry):
        return True
    raw = lookup(child.values, attribute)
    if isinstance(raw, str):
        folded = fold_id(raw)
        registry_id = fold_id(str(lookup(registry.values, "id") or ""))
        return folded in (name.casefold(), registry_id) or folded.endswith(f"/registries/{name.casefold()}")
    # An unresolved link with a single registry in the input can only mean that registry.
    refers_elsewhere = any(r != registry.base for r in child.references.get(attribute, frozenset()))
    return single and isinstance(raw, Unknown) and not refers_elsewhere


def _private_endpoints(registry: TfResource, name: str, index: Index, origin: str, single: bool) -> list[Any]:
    found = []
    links = index.links(PRIVATE_ENDPOINT, "private_service_connection")
    candidates = links.by_reference.get(registry.base, []) + index.not_naming(
        PRIVATE_ENDPOINT, "private_service_connection", REGISTRY
    )
    for endpoint in candidates:
        connections = lookup(endpoint.values, "private_service_connection")
        for number, connection in enumerate(connections if isinstance(connections, list) else []):
            target = TfResource(
                endpoint.address,
                endpoint.type,
                connection,
                {"private_connection_resource_id": endpoint.references.get("private_service_connection", frozenset())},
            )
            subresources = lookup(connection, "subresource_names")
            if isinstance(subresources, list) and "registry" not in [str(s).casefold() for s in subresources]:
                continue
            if _targets(target, "private_connection_resource_id", registry, name, single):
                found.append(children.parse_private_endpoint(endpoint, number, origin, _planned_fqdns(registry, name)))
    return found


def _planned_fqdns(registry: TfResource, name: str) -> tuple[str, ...]:
    """The DNS names Azure gives a registry's private endpoint: the login server and the data endpoint of
    the home region and of every replica region (documented for geo-replicated registries)."""
    regions = [lookup(registry.values, "location")]
    replicas = lookup(registry.values, "georeplications")
    regions += [lookup(r, "location") for r in replicas] if isinstance(replicas, list) else []
    legacy = lookup(registry.values, "georeplication_locations")  # azurerm v1/v2
    regions += legacy if isinstance(legacy, list) and not replicas else []
    data = [f"{name}.{r.replace(' ', '').lower()}.data.azurecr.io" for r in regions if isinstance(r, str)]
    return (f"{name}.azurecr.io", *data)


def _covers(
    resource: TfResource, attribute: str, registry: TfResource, fields: dict[str, Any], index: Index
) -> str | None:
    """The scope text when `resource` (at `attribute`) covers the registry, directly or inherited."""
    raw = lookup(resource.values, attribute)
    scopes = [s for s in raw if isinstance(s, str)] if isinstance(raw, list) else [raw]
    for scope in scopes:
        if isinstance(scope, str) and _literal_covers(scope, fields):
            return scope
    references = resource.references.get(attribute, frozenset())
    for reference in sorted(references):
        if reference == registry.base:
            return f"{reference}.id"
        kind = reference.rsplit(".", 2)[-2]
        if kind in _SUBSCRIPTION_TYPES:
            return f"{reference} (subscription)"
        if kind == _RESOURCE_GROUP and _in_group(registry, reference, index):
            return f"{reference}.id"
    return None


def _literal_covers(scope: str, fields: dict[str, Any]) -> bool:
    folded = fold_id(scope)
    group = fields.get("resource_group")
    marker = "/resourcegroups/"
    if group and marker in folded and "registries/" not in folded:
        # A synthetic registry id cannot be placed in the hierarchy; the resource group name can.
        return folded.split(marker, 1)[1].split("/", 1)[0] == str(group).casefold()
    return scope_covers(scope, fields["id"], fields["name"])


def _in_group(registry: TfResource, group: str, index: Index) -> bool:
    if group in registry.references.get("resource_group_name", frozenset()):
        return True
    names = {lookup(g.values, "name") for g in index.by_base(group)}
    return lookup(registry.values, "resource_group_name") in names - {None}
