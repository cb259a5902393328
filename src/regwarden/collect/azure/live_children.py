"""Reads of one registry's children and related resources for the live collector.

Children (replications, tokens, scope maps, webhooks, tasks, usages, diagnostic settings, assessments) are
nested under the registry dict by their list key, which is how `resources` recognises them as "collected"
even when the list is empty. Related resources that live elsewhere (role assignments, locks, private
endpoints, workspaces) are returned beside the registry and matched by scope or id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from regwarden.collect.azure.live_calls import LiveClients, Resource, as_arm_list, attempt, get_all, to_arm
from regwarden.model.arm_id import fold_id

API_TASKS = "2019-06-01-preview"
API_DIAGNOSTICS = "2021-05-01-preview"
API_LOCKS = "2016-09-01"
API_WORKSPACES = "2022-10-01"
_TYPE = "Microsoft.ContainerRegistry/registries/"


def _names(registry: Resource) -> tuple[str, str, str]:
    """(id, resource group, name) from the registry's ARM id."""
    registry_id = str(registry["id"])
    parts = registry_id.split("/")
    group = next(parts[i + 1] for i, p in enumerate(parts[:-1]) if p.casefold() == "resourcegroups")
    return registry_id, group, str(registry["name"])


def registry_children(clients: LiveClients, registry: Resource, unavailable: dict[str, str]) -> Resource:
    """Nested lists to add to the registry dict; a list the caller may not read is left out (UNAVAILABLE)."""
    registry_id, group, name = _names(registry)
    acr = clients.acr
    sdk_lists: dict[str, tuple[str, Callable[[], Iterable[Any]]]] = {
        "replications": (_TYPE + "replications", lambda: acr.replications.list(group, name)),
        "tokens": (_TYPE + "tokens", lambda: acr.tokens.list(group, name)),
        "scopeMaps": (_TYPE + "scopeMaps", lambda: acr.scope_maps.list(group, name)),
        "webhooks": (_TYPE + "webhooks", lambda: acr.webhooks.list(group, name)),
        "usages": (_TYPE + "usages", lambda: acr.registries.list_usages(group, name).value or []),
        "assessments": (
            "Microsoft.Security/assessments",
            lambda: clients.security.assessments.list(registry_id),
        ),
    }
    nested: Resource = {}
    for key, (arm_type, lister) in sdk_lists.items():
        listed = attempt(unavailable, arm_type, partial(as_arm_list, lister))
        if listed is not None:
            nested[key] = listed
    for key, arm_type, path, version in (
        ("tasks", _TYPE + "tasks", f"{registry_id}/tasks", API_TASKS),
        (
            "diagnosticSettings",
            "Microsoft.Insights/diagnosticSettings",
            f"{registry_id}/providers/Microsoft.Insights/diagnosticSettings",
            API_DIAGNOSTICS,
        ),
    ):
        fetched = attempt(unavailable, arm_type, partial(get_all, clients, path, version))
        if fetched is not None:
            nested[key] = fetched
    for webhook in nested.get("webhooks", []):
        _add_callback(clients, group, name, webhook)
    return nested


def _add_callback(clients: LiveClients, group: str, registry: str, webhook: Resource) -> None:
    """serviceUri is write-only; getCallbackConfig returns it (its headers may hold secrets: dropped)."""
    ignored: dict[str, str] = {}
    config = attempt(
        ignored,
        "callback",
        lambda: clients.acr.webhooks.get_callback_config(group, registry, webhook["name"]),
    )
    if config is not None:
        webhook["callbackConfig"] = {"serviceUri": to_arm(config).get("serviceUri")}


def related_resources(clients: LiveClients, registry: Resource, unavailable: dict[str, str]) -> list[Resource]:
    registry_id, _, _ = _names(registry)
    found: list[Resource] = []
    # Without a filter, list-for-scope also returns assignments inherited from the group and subscription.
    assignments = attempt(
        unavailable,
        "Microsoft.Authorization/roleAssignments",
        lambda: [to_arm(a) for a in clients.authorization.role_assignments.list_for_scope(registry_id)],
    )
    found.extend(assignments or [])
    # Locks listed at the resource include those inherited from its resource group and subscription.
    locks = attempt(
        unavailable,
        "Microsoft.Authorization/locks",
        lambda: get_all(clients, f"{registry_id}/providers/Microsoft.Authorization/locks", API_LOCKS),
    )
    found.extend(locks or [])
    found.extend(_private_endpoints(clients, registry, unavailable))
    found.extend(_workspaces(clients, registry, unavailable))
    return found


def _private_endpoints(clients: LiveClients, registry: Resource, unavailable: dict[str, str]) -> list[Resource]:
    """The private endpoints behind the registry's connections, for their region and DNS names."""
    connections = registry.get("properties", {}).get("privateEndpointConnections") or []
    found: list[Resource] = []
    for connection in connections:
        endpoint_id = (connection.get("properties", {}).get("privateEndpoint") or {}).get("id")
        parts = str(endpoint_id or "").split("/")
        if len(parts) < 9:
            continue
        group, name = parts[4], parts[8]
        endpoint = attempt(
            unavailable,
            "Microsoft.Network/privateEndpoints",
            partial(clients.network.private_endpoints.get, group, name),
        )
        if endpoint is not None:
            found.append(to_arm(endpoint))
    return found


def _workspaces(clients: LiveClients, registry: Resource, unavailable: dict[str, str]) -> list[Resource]:
    """The Log Analytics workspaces the registry's diagnostic settings send to, for their retention."""
    targets = {
        fold_id(str(s.get("properties", {}).get("workspaceId"))): s["properties"]["workspaceId"]
        for s in registry.get("diagnosticSettings", [])
        if s.get("properties", {}).get("workspaceId")
    }
    found: list[Resource] = []
    for workspace_id in sorted(targets.values()):
        workspace = attempt(
            unavailable,
            "Microsoft.OperationalInsights/workspaces",
            partial(get_all, clients, workspace_id, API_WORKSPACES),
        )
        found.extend(workspace or [])
    return found
