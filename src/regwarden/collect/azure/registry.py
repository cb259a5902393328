"""The registry's own properties (ARM GET or flattened `az acr show`) → the scalar fields of `Registry`.

An absent property takes the service default of the ACR REST API 2025-11-01 and is marked DEFAULT.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from regwarden.collect.azure.keys import as_list, expression_on_path, get, properties, read
from regwarden.collect.coerce import to_bool, to_int, to_str
from regwarden.model.arm_id import id_part, is_expression
from regwarden.model.registry import Value

_Spec = tuple[str, tuple[str, ...], str, object, Callable[[Any], Any], str]

_SCALARS: tuple[_Spec, ...] = (
    ("admin_user_enabled", ("adminUserEnabled",), "properties.adminUserEnabled", False, to_bool, "a boolean"),
    (
        "anonymous_pull_enabled",
        ("anonymousPullEnabled",),
        "properties.anonymousPullEnabled",
        False,
        to_bool,
        "a boolean",
    ),
    (
        "arm_audience_token_status",
        ("policies", "azureADAuthenticationAsArmPolicy", "status"),
        "properties.policies.azureADAuthenticationAsArmPolicy.status",
        "enabled",
        to_str,
        "enabled or disabled",
    ),
    (
        "public_network_access",
        ("publicNetworkAccess",),
        "properties.publicNetworkAccess",
        "Enabled",
        to_str,
        "a string",
    ),
    (
        "network_default_action",
        ("networkRuleSet", "defaultAction"),
        "properties.networkRuleSet.defaultAction",
        "Allow",
        to_str,
        "Allow or Deny",
    ),
    (
        "network_rule_bypass",
        ("networkRuleBypassOptions",),
        "properties.networkRuleBypassOptions",
        "AzureServices",
        to_str,
        "AzureServices or None",
    ),
    (
        "data_endpoint_enabled",
        ("dataEndpointEnabled",),
        "properties.dataEndpointEnabled",
        False,
        to_bool,
        "a boolean",
    ),
    (
        "export_policy_status",
        ("policies", "exportPolicy", "status"),
        "properties.policies.exportPolicy.status",
        "enabled",
        to_str,
        "enabled or disabled",
    ),
    (
        "quarantine_policy_status",
        ("policies", "quarantinePolicy", "status"),
        "properties.policies.quarantinePolicy.status",
        "disabled",
        to_str,
        "enabled or disabled",
    ),
    (
        "retention_policy_status",
        ("policies", "retentionPolicy", "status"),
        "properties.policies.retentionPolicy.status",
        "disabled",
        to_str,
        "enabled or disabled",
    ),
    (
        "retention_days",
        ("policies", "retentionPolicy", "days"),
        "properties.policies.retentionPolicy.days",
        7,
        to_int,
        "days",
    ),
    (
        "trust_policy_status",
        ("policies", "trustPolicy", "status"),
        "properties.policies.trustPolicy.status",
        "disabled",
        to_str,
        "enabled or disabled",
    ),
    (
        "encryption_status",
        ("encryption", "status"),
        "properties.encryption.status",
        "disabled",
        to_str,
        "a string",
    ),
    ("zone_redundancy", ("zoneRedundancy",), "properties.zoneRedundancy", "Disabled", to_str, "a string"),
    (
        "role_based_access_mode",
        ("roleAssignmentMode",),
        "properties.roleAssignmentMode",
        "LegacyRegistryPermissions",
        to_str,
        "a mode",
    ),
)


def registry_fields(body: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Keyword arguments for `Registry` from one registry resource (children are attached by the caller)."""
    name = to_str(get(body, "name")) or "?"
    resource_id = to_str(get(body, "id"))
    if resource_id is None or is_expression(resource_id):
        resource_id = f"{origin}#{name}"
    props = properties(body)
    fields: dict[str, Any] = {
        "name": name,
        "id": resource_id,
        "origin": origin,
        "resource_group": to_str(get(body, "resourceGroup")) or id_part(resource_id, "resourcegroups"),
        "subscription_id": id_part(resource_id, "subscriptions"),
        "location": _required(body, ("location",), "location", origin),
        "sku": _sku(body, origin),
        "ip_rules": _ip_rules(props, origin),
    }
    for field, keys, path, default, convert, expected in _SCALARS:
        fields[field] = read(props, keys, path, origin, default, convert, expected)
    return fields


def unlisted_registry_fields(name: str, resource_id: str | None, origin: str, reason: str) -> dict[str, Any]:
    """Keyword arguments for a registry the input names (through its children) but does not hold: each of its own
    properties is UNAVAILABLE with `reason` (never a service default), so rules that need them say UNKNOWN."""
    resource_id = resource_id or f"{origin}#{name}"
    fields: dict[str, Any] = {
        "name": name,
        "id": resource_id,
        "origin": origin,
        "resource_group": id_part(resource_id, "resourcegroups"),
        "subscription_id": id_part(resource_id, "subscriptions"),
    }
    own = (("location", "location"), ("sku", "sku.name"), ("ip_rules", "properties.networkRuleSet.ipRules"))
    for field, path in (*own, *((spec[0], spec[2]) for spec in _SCALARS)):
        fields[field] = Value.unavailable(path, reason, origin)
    return fields


def _sku(body: Mapping[str, Any], origin: str) -> Value[str]:
    """`sku.name`. A SKU of the wrong shape (`[]`, a number, an object without a name) is UNRESOLVED with what it
    is, never read as absent: the rules that depend on the SKU then say UNKNOWN rather than guess."""
    path, raw = "sku.name", get(body, "sku")
    if raw is None:
        return Value.unavailable(path, f"{path} not in the input", origin)
    if is_expression(raw):
        return Value.unresolved(path, f"unresolved ARM expression: {raw}", origin)
    if not isinstance(raw, Mapping) or get(raw, "name") is None:
        return Value.unresolved(path, f"malformed SKU: expected an object with a name, got {raw!r}", origin)
    name = read(raw, ("name",), path, origin, None, to_str, "a SKU name")
    if name.value == "":
        return Value.unresolved(path, "malformed SKU: the name is empty", origin)
    return name


def _required(body: Mapping[str, Any], keys: tuple[str, ...], path: str, origin: str) -> Value[str]:
    if get(body, *keys) is None:
        return Value.unavailable(path, f"{path} not in the input", origin)
    return read(body, keys, path, origin, None, to_str, "a string")


def _ip_rules(props: Mapping[str, Any], origin: str) -> Value[tuple[str, ...]]:
    path = "properties.networkRuleSet.ipRules"
    raw = get(props, "networkRuleSet", "ipRules")
    enclosing = raw if is_expression(raw) else expression_on_path(props, ("networkRuleSet", "ipRules"))
    if enclosing is not None:
        return Value.unresolved(path, f"unresolved ARM expression: {enclosing}", origin)
    if raw is None:
        return Value.default((), path, origin)
    ranges: list[str] = []
    for rule in as_list(raw):
        # ARM spells the range `value`; az (via the SDK model) spells it `ipAddressOrRange`.
        value = get(rule, "value") if get(rule, "value") is not None else get(rule, "ipAddressOrRange")
        if not isinstance(value, str) or is_expression(value):
            return Value.unresolved(path, f"unresolved IP rule: {value!r}", origin)
        ranges.append(value)
    return Value.explicit(tuple(ranges), path, origin)
