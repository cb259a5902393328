"""Collect registries and everything around them from a live Azure subscription, through the Azure SDK.

SDK models are converted back to ARM-shaped dicts (`serialize(keep_readonly=True)` for msrest models,
`as_dict()` for the newer typespec models, whose keys are already the REST names) and handed to
`resources.registries_from_resources`, so the live path and the file path share one mapping.

What the SDKs installed here do not cover is read with a plain GET through the container registry client's
own pipeline (same credential, retries, TLS settings): tasks (API 2019-06-01-preview; azure-mgmt-
containerregistry 15 ships only 2025-11-01, which has no tasks), diagnostic settings (azure-mgmt-monitor 7
dropped them), management locks (azure-mgmt-resource 26 no longer ships them) and Log Analytics workspaces.

A 401/403/404 on a related resource type marks that type UNAVAILABLE with the error (its rules say UNKNOWN);
only a failure to list the registries themselves is fatal. Each registry is mapped with its own `unavailable`
set, so a 403 on one registry's role assignments does not blank out another's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from regwarden.collect.azure.live_calls import (
    LiveClients,
    Resource,
    as_arm_list,
    attempt,
    reason,
    to_arm,
    transport_error,
)
from regwarden.collect.azure.live_children import registry_children, related_resources
from regwarden.collect.azure.resources import registries_from_resources
from regwarden.model.errors import AuthError, NotFoundError, UnreachableError
from regwarden.model.registry import Registry

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

ORIGIN = "azure:live"
_REGISTRY_READ = "Microsoft.ContainerRegistry/registries/read"


def collect_registries(
    credential: TokenCredential,
    subscription_id: str,
    *,
    resource_group: str | None = None,
    base_url: str | None = None,
    connection_verify: str | bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> list[Registry]:
    """Every registry in the subscription (or one resource group) with its children and related resources."""
    progress = on_progress or (lambda _message: None)
    clients = LiveClients(credential, subscription_id, base_url, connection_verify)
    progress(f"listing registries in {resource_group or 'subscription ' + subscription_id}")
    registries = _list_registries(clients, resource_group)
    shared_unavailable: dict[str, str] = {}
    shared = _subscription_wide(clients, shared_unavailable)
    collected: list[Registry] = []
    for registry in registries:
        progress(f"reading {registry.get('name')}")
        unavailable = dict(shared_unavailable)
        resources = _registry_resources(clients, registry, unavailable)
        collected.extend(registries_from_resources([*resources, *shared], ORIGIN, unavailable=unavailable))
    return collected


def _list_registries(clients: LiveClients, resource_group: str | None) -> list[Resource]:
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    where = f"resource group {resource_group}" if resource_group else f"subscription {clients.subscription_id}"
    try:
        pages = (
            clients.acr.registries.list_by_resource_group(resource_group)
            if resource_group
            else clients.acr.registries.list()
        )
        return [to_arm(r) for r in pages]
    except ClientAuthenticationError as exc:
        raise AuthError(f"cannot list registries in {where}: {reason(exc)}") from None
    except HttpResponseError as exc:
        if exc.status_code in (401, 403):
            raise AuthError(
                f"cannot list registries in {where}: {reason(exc)}; the identity needs {_REGISTRY_READ} "
                "(e.g. the Reader role)"
            ) from None
        if exc.status_code == 404:
            raise NotFoundError(f"{where} not found: {reason(exc)}") from None
        raise UnreachableError(f"Azure Resource Manager failed listing registries: {reason(exc)}") from None
    except Exception as exc:
        raise transport_error(exc) from None


def _subscription_wide(clients: LiveClients, unavailable: dict[str, str]) -> list[Resource]:
    """Defender pricing and alert rules: read once, they apply to every registry in the subscription."""
    found: list[Resource] = []
    scope = f"subscriptions/{clients.subscription_id}"
    pricing = attempt(
        unavailable, "Microsoft.Security/pricings", lambda: clients.security.pricings.get(scope, "Containers")
    )
    if pricing is not None:
        found.append(to_arm(pricing))
    alerts: tuple[tuple[str, Callable[[], Iterable[Any]]], ...] = (
        (
            "Microsoft.Insights/activityLogAlerts",
            lambda: clients.monitor.activity_log_alerts.list_by_subscription_id(),
        ),
        (
            "Microsoft.Insights/scheduledQueryRules",
            lambda: clients.monitor.scheduled_query_rules.list_by_subscription(),
        ),
        ("Microsoft.Insights/metricAlerts", lambda: clients.monitor.metric_alerts.list_by_subscription()),
    )
    for arm_type, lister in alerts:
        found.extend(attempt(unavailable, arm_type, partial(as_arm_list, lister)) or [])
    return found


def _registry_resources(clients: LiveClients, registry: Resource, unavailable: dict[str, str]) -> list[Resource]:
    registry = dict(registry)
    registry.update(registry_children(clients, registry, unavailable))
    return [registry, *related_resources(clients, registry, unavailable)]
