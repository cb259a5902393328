"""Parsers for a registry's own child resources (ARM GET, `az acr ... list/show` and template shapes).

Each takes one resource mapping and the origin, and returns a model object. Keys are read case-insensitively
and properties may be wrapped in `properties` (ARM) or flattened (az).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from regwarden.collect.azure.keys import as_list, get, properties, read
from regwarden.collect.coerce import to_bool, to_float, to_str
from regwarden.model.arm_id import fold_id, is_expression, last_segment
from regwarden.model.registry import (
    PrivateEndpointConnection,
    RegistryTask,
    Replication,
    ScopeMap,
    TaskTrigger,
    Token,
    TokenPassword,
    Usage,
    Value,
    Webhook,
)


def resource_name(resource: Mapping[str, Any]) -> str:
    """The child's own name; partial exports and SDK objects built in code may carry only an id."""
    name = get(resource, "name")
    if not isinstance(name, str):
        name = get(resource, "id")
    return last_segment(name) if isinstance(name, str) and name else "?"


def parse_replication(resource: Mapping[str, Any], origin: str) -> Replication:
    props = properties(resource)
    location = get(resource, "location")
    return Replication(
        name=resource_name(resource),
        location=(
            read(resource, ("location",), "replications.location", origin, None, to_str, "a region")
            if location is not None
            else Value.unavailable("replications.location", "replica location not in the input", origin)
        ),
        zone_redundancy=read(
            props,
            ("zoneRedundancy",),
            "replications.properties.zoneRedundancy",
            origin,
            "Disabled",
            to_str,
            "a string",
        ),
        region_endpoint_enabled=read(
            props,
            ("regionEndpointEnabled",),
            "replications.properties.regionEndpointEnabled",
            origin,
            True,
            to_bool,
            "a boolean",
        ),
    )


def parse_scope_map(resource: Mapping[str, Any], origin: str) -> ScopeMap:
    raw = get(properties(resource), "actions")
    path = "scopeMaps.properties.actions"
    actions: Value[tuple[str, ...]]
    if isinstance(raw, list) and all(isinstance(a, str) and not is_expression(a) for a in raw):
        actions = Value.explicit(tuple(raw), path, origin)
    elif raw is None:
        actions = Value.unavailable(path, "scope map actions not in the input", origin)
    else:
        actions = Value.unresolved(path, f"unresolved scope map actions: {raw!r}", origin)
    scope_id = get(resource, "id")
    return ScopeMap(resource_name(resource), scope_id if isinstance(scope_id, str) else None, actions)


def parse_token(resource: Mapping[str, Any], origin: str) -> Token:
    props = properties(resource)
    scope_map = get(props, "scopeMapId")
    path = "tokens.properties.scopeMapId"
    scope_value: Value[str] = (
        read(props, ("scopeMapId",), path, origin, None, to_str, "a resource id")
        if scope_map is not None
        else Value.unavailable(path, "token has no scope map in the input", origin)
    )
    return Token(
        name=resource_name(resource),
        status=read(props, ("status",), "tokens.properties.status", origin, "enabled", to_str, "a string"),
        scope_map_id=scope_value,
        passwords=_token_passwords(props, origin),
    )


def _token_passwords(props: Mapping[str, Any], origin: str) -> Value[tuple[TokenPassword, ...]]:
    path = "tokens.properties.credentials.passwords"
    raw = get(props, "credentials", "passwords")
    if raw is None:
        return Value.default((), path, origin)
    if not isinstance(raw, list):
        return Value.unresolved(path, f"expected a list, got {raw!r}", origin)
    passwords = []
    for entry in raw:
        name = to_str(get(entry, "name")) or "?"
        expiry = read(entry, ("expiry",), f"{path}[{name}].expiry", origin, None, to_str, "an ISO 8601 date")
        passwords.append(TokenPassword(name, expiry))
    return Value.explicit(tuple(passwords), path, origin)


def parse_webhook(resource: Mapping[str, Any], origin: str) -> Webhook:
    props = properties(resource)
    # serviceUri is write-only: ARM GET never returns it; only getCallbackConfig (or a template) does.
    for node, path in (
        (props, "webhooks.properties.serviceUri"),
        (get(resource, "callbackConfig"), "webhooks.callbackConfig.serviceUri"),
        (get(props, "callbackConfig"), "webhooks.properties.callbackConfig.serviceUri"),
    ):
        if get(node, "serviceUri") is not None:
            uri = read(node, ("serviceUri",), path, origin, None, to_str, "a URI")
            break
    else:
        uri = Value.unavailable(
            "webhooks.properties.serviceUri",
            "serviceUri is write-only in ARM GET; add the getCallbackConfig output to the input",
            origin,
        )
    status = read(props, ("status",), "webhooks.properties.status", origin, "enabled", to_str, "a string")
    return Webhook(resource_name(resource), uri, status)


def parse_task(resource: Mapping[str, Any], origin: str) -> RegistryTask:
    props = properties(resource)
    return RegistryTask(
        name=resource_name(resource),
        status=read(props, ("status",), "tasks.properties.status", origin, "Enabled", to_str, "a string"),
        triggers=_task_triggers(get(props, "trigger")),
        command=_task_command(get(props, "step"), origin),
    )


def _task_triggers(trigger: Any) -> tuple[TaskTrigger, ...]:
    found: list[TaskTrigger] = []
    for timer in as_list(get(trigger, "timerTriggers")):
        if str(get(timer, "status") or "Enabled").casefold() != "disabled":
            found.append(TaskTrigger("timer", to_str(get(timer, "schedule"))))
    found.extend(TaskTrigger("sourceTrigger") for _ in as_list(get(trigger, "sourceTriggers")))
    if get(trigger, "baseImageTrigger") is not None:
        found.append(TaskTrigger("baseImageTrigger"))
    return tuple(found)


def _task_command(step: Any, origin: str) -> Value[str]:
    path = "tasks.properties.step"
    encoded = get(step, "encodedTaskContent")
    if isinstance(encoded, str) and not is_expression(encoded):
        try:
            text = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Value.unresolved(f"{path}.encodedTaskContent", "not valid base64 UTF-8 text", origin)
        return Value.explicit(text, f"{path}.encodedTaskContent", origin)
    for key in ("cmd", "command"):
        command = get(step, key)
        if isinstance(command, str):
            return read(step, (key,), f"{path}.{key}", origin, None, to_str, "a command")
    if get(step, "taskFilePath") is not None:
        return Value.unavailable(f"{path}.taskFilePath", "the task file's content is not in the input", origin)
    return Value.unavailable(path, "the task step has no command in the input", origin)


def parse_private_endpoint_connection(
    resource: Mapping[str, Any], origin: str, endpoints: Mapping[str, Mapping[str, Any]]
) -> PrivateEndpointConnection:
    """`endpoints` maps `fold_id`-ed private endpoint ids to their Microsoft.Network/privateEndpoints resources."""
    props = properties(resource)
    path = "privateEndpointConnections.properties.privateLinkServiceConnectionState.status"
    state = get(props, "privateLinkServiceConnectionState")
    status: Value[str] = (
        read(state, ("status",), path, origin, None, to_str, "a string")
        if get(state, "status") is not None
        else Value.unavailable(path, "connection state not in the input", origin)
    )
    endpoint_id = to_str(get(props, "privateEndpoint", "id"))
    endpoint = endpoints.get(fold_id(endpoint_id)) if endpoint_id else None
    location = to_str(get(endpoint, "location")) if endpoint else None
    fqdns: list[str] = []
    for config in as_list(get(properties(endpoint), "customDnsConfigs")) if endpoint else []:
        fqdn = to_str(get(config, "fqdn"))
        if fqdn:
            fqdns.append(fqdn)
    return PrivateEndpointConnection(resource_name(resource), status, endpoint_id, location, tuple(fqdns))


def parse_usage(resource: Mapping[str, Any], origin: str) -> Usage:
    """One usage: a list entry (`name` may be the SDK's `{"value": "Size"}`), or a usage exported as its own
    listUsages resource (`registry/Size` names, values possibly wrapped in `properties`)."""
    raw_name = get(resource, "name")
    name = to_str(get(raw_name, "value")) if isinstance(raw_name, Mapping) else to_str(raw_name)
    label = last_segment(name) if name else "?"
    values = properties(resource)
    return Usage(
        name=label,
        current=read(values, ("currentValue",), f"usages[{label}].currentValue", origin, None, to_float, "a number"),
        limit=read(values, ("limit",), f"usages[{label}].limit", origin, None, to_float, "a number"),
        unit=to_str(get(values, "unit")),
    )
