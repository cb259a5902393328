"""`azurerm_container_registry` attributes (azurerm v3 and v4 names) → the scalar fields of `Registry`.

Absent attributes take the azurerm provider's default, marked DEFAULT. Where the provider default differs from
the ARM service default it is noted at the line that chooses it. v3 spells retention and content trust as
`retention_policy { enabled, days }` and `trust_policy { enabled }`, and encryption as
`encryption { enabled }`; v4 spells them `retention_policy_in_days`, `trust_policy_enabled` and an
`encryption` block whose presence means customer-managed keys are on.
"""

from __future__ import annotations

from typing import Any

from regwarden.collect.coerce import to_bool, to_int, to_str
from regwarden.collect.terraform.common import Reader, TfResource, Unknown, blocks, enabled_word, lookup
from regwarden.model.arm_id import id_part
from regwarden.model.registry import Replication, Value, ValueSource

ARM_AUDIENCE_NOTE = "azurerm has no attribute for it: the service default applies unless set outside Terraform"
ARM_AUDIENCE_PATH = "properties.policies.azureADAuthenticationAsArmPolicy.status"


def registry_fields(resource: TfResource, origin: str) -> dict[str, Any]:
    """Keyword arguments for `Registry` (children and related resources are attached by the caller)."""
    reader = Reader(resource, origin)
    name, known_id = _identity(resource)
    resource_group = reader.text("resource_group_name")
    fields: dict[str, Any] = {
        "name": name,
        "id": known_id or resource.base,
        "origin": reader.origin,
        "resource_group": resource_group or id_part(known_id, "resourcegroups"),
        "subscription_id": id_part(known_id, "subscriptions"),
        "location": _required(reader, "location", "a region"),
        "sku": _required(reader, "sku", "a SKU name"),
        "admin_user_enabled": reader.read(("admin_enabled",), False, to_bool, "a boolean"),
        "anonymous_pull_enabled": reader.read(("anonymous_pull_enabled",), False, to_bool, "a boolean"),
        "arm_audience_token_status": Value(
            "enabled", ValueSource.DEFAULT, f"{resource.base}: {ARM_AUDIENCE_PATH}", origin, ARM_AUDIENCE_NOTE
        ),
        "public_network_access": reader.read(
            ("public_network_access_enabled",), "Enabled", enabled_word(True), "a boolean"
        ),
        "network_default_action": _network(reader, "default_action", "Allow", to_str),
        "ip_rules": _ip_rules(reader),
        "network_rule_bypass": reader.read(("network_rule_bypass_option",), "AzureServices", to_str, "a string"),
        "data_endpoint_enabled": reader.read(("data_endpoint_enabled",), False, to_bool, "a boolean"),
        "export_policy_status": reader.read(("export_policy_enabled",), "enabled", enabled_word(False), "a boolean"),
        "quarantine_policy_status": reader.read(
            ("quarantine_policy_enabled",), "disabled", enabled_word(False), "a boolean"
        ),
        "trust_policy_status": _trust(reader),
        "encryption_status": _encryption(reader),
        "zone_redundancy": reader.read(("zone_redundancy_enabled",), "Disabled", enabled_word(True), "a boolean"),
        "replications": _replications(reader),
    }
    fields["retention_policy_status"], fields["retention_days"] = _retention(reader)
    return fields


def _required(reader: Reader, key: str, expected: str) -> Value[str]:
    """A required argument: absent means the input is incomplete, not that a default applies."""
    if lookup(reader.resource.values, key) in (None, ""):
        return Value.unavailable(reader.path(key), f"{key} is not set in the input", reader.origin)
    return reader.read((key,), None, to_str, expected)


def _identity(resource: TfResource) -> tuple[str, str | None]:
    raw_name = lookup(resource.values, "name")
    # An unresolvable name is shown bracketed, the convention the name rule reads as "not known".
    name = raw_name if isinstance(raw_name, str) else f"[{resource.base}.name: unresolved]"
    raw_id = lookup(resource.values, "id")
    return name, raw_id if isinstance(raw_id, str) and raw_id.startswith("/") else None


def _network(reader: Reader, key: str, default: str, convert: Any) -> Value[str]:
    found = reader.blocks("network_rule_set")
    if isinstance(found, Unknown):
        return Value.unresolved(reader.path("network_rule_set"), found.reason, reader.origin)
    if not found:
        return Value.default(default, reader.path("network_rule_set", 0, key), reader.origin)
    return reader.read(("network_rule_set", 0, key), default, convert, "a string")


def _ip_rules(reader: Reader) -> Value[tuple[str, ...]]:
    path = reader.path("network_rule_set", 0, "ip_rule")
    found = reader.blocks("network_rule_set")
    if isinstance(found, Unknown):
        return Value.unresolved(path, found.reason, reader.origin)
    rules = blocks(found[0], "ip_rule") if found else []
    if isinstance(rules, Unknown):
        return Value.unresolved(path, rules.reason, reader.origin)
    if not rules:
        return Value.default((), path, reader.origin)
    ranges: list[str] = []
    for rule in rules:
        value = lookup(rule, "ip_range")
        if not isinstance(value, str):
            reason = value.reason if isinstance(value, Unknown) else f"ip_range is {value!r}"
            return Value.unresolved(path, reason, reader.origin)
        ranges.append(value)
    return Value.explicit(tuple(ranges), path, reader.origin)


def _retention(reader: Reader) -> tuple[Value[str], Value[int]]:
    values = reader.resource.values
    days = lookup(values, "retention_policy_in_days")
    if isinstance(days, Unknown) and reader.unset("retention_policy_in_days"):
        days = None
    if days is not None:  # azurerm v4: setting the days turns the policy on
        status_path = reader.path("retention_policy_in_days")
        status: Value[str] = (
            Value.unresolved(status_path, days.reason, reader.origin)
            if isinstance(days, Unknown)
            else Value.explicit("enabled", status_path, reader.origin)
        )
        return status, reader.read(("retention_policy_in_days",), 7, to_int, "days")
    policy = reader.blocks("retention_policy")
    if isinstance(policy, Unknown):
        unresolved: Value[Any] = Value.unresolved(reader.path("retention_policy"), policy.reason, reader.origin)
        return unresolved, unresolved
    if not policy:
        return (
            Value.default("disabled", reader.path("retention_policy_in_days"), reader.origin),
            Value.default(7, reader.path("retention_policy_in_days"), reader.origin),
        )
    return (
        reader.read(("retention_policy", 0, "enabled"), "disabled", enabled_word(False), "a boolean"),
        reader.read(("retention_policy", 0, "days"), 7, to_int, "days"),
    )


def _trust(reader: Reader) -> Value[str]:
    policy = reader.blocks("trust_policy")  # azurerm v3
    if isinstance(policy, Unknown):
        return Value.unresolved(reader.path("trust_policy"), policy.reason, reader.origin)
    if policy:
        return reader.read(("trust_policy", 0, "enabled"), "disabled", enabled_word(False), "a boolean")
    return reader.read(("trust_policy_enabled",), "disabled", enabled_word(False), "a boolean")


def _encryption(reader: Reader) -> Value[str]:
    found = reader.blocks("encryption")
    if isinstance(found, Unknown):
        return Value.unresolved(reader.path("encryption"), found.reason, reader.origin)
    if not found:
        return Value.default("disabled", reader.path("encryption"), reader.origin)
    if "enabled" in found[0]:  # azurerm v3 spells the switch; v4 has only the key, so a block means enabled
        return reader.read(("encryption", 0, "enabled"), "disabled", enabled_word(False), "a boolean")
    return Value.explicit("enabled", reader.path("encryption", 0, "key_vault_key_id"), reader.origin)


def _replications(reader: Reader) -> Value[tuple[Replication, ...]]:
    # georeplications is authoritative inside the registry resource: no block means no replicas.
    path = reader.path("georeplications")
    found = reader.blocks("georeplications")
    if isinstance(found, Unknown):
        return Value.unresolved(path, found.reason, reader.origin)
    if not found and (legacy := _legacy_locations(reader)) is not None:
        return legacy
    replicas = []
    for index, _ in enumerate(found):
        location = reader.read(("georeplications", index, "location"), None, to_str, "a region")
        replicas.append(
            Replication(
                name=str(location.value or f"georeplications[{index}]"),
                location=location,
                zone_redundancy=reader.read(
                    ("georeplications", index, "zone_redundancy_enabled"),
                    "Disabled",
                    enabled_word(True),
                    "a boolean",
                ),
                # The provider sends false when unset, unlike ARM's default of true.
                region_endpoint_enabled=reader.read(
                    ("georeplications", index, "regional_endpoint_enabled"), False, to_bool, "a boolean"
                ),
            )
        )
    return Value.explicit(tuple(replicas), path, reader.origin)


def _legacy_locations(reader: Reader) -> Value[tuple[Replication, ...]] | None:
    """azurerm v1/v2 `georeplication_locations = ["East US", ...]` (removed in v3): one replica per region,
    created with only a location, so zone redundancy and the regional endpoint keep the ARM defaults."""
    key = "georeplication_locations"
    raw = lookup(reader.resource.values, key)
    if isinstance(raw, Unknown):
        return None if reader.unset(key) else Value.unresolved(reader.path(key), raw.reason, reader.origin)
    if not isinstance(raw, list) or not raw:
        return None
    replicas = []
    for index, _ in enumerate(raw):
        location = reader.read((key, index), None, to_str, "a region")
        replicas.append(
            Replication(
                name=str(location.value or f"{key}[{index}]"),
                location=location,
                zone_redundancy=Value.default("Disabled", reader.path(key, index), reader.origin),
                region_endpoint_enabled=Value.default(True, reader.path(key, index), reader.origin),
            )
        )
    return Value.explicit(tuple(replicas), reader.path(key), reader.origin)
