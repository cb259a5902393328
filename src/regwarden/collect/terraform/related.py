"""Resources related to a registry in Terraform → model objects: diagnostic settings, Log Analytics
workspaces, role assignments, management locks, Defender pricing and alert rules.

Where Terraform's spelling differs from ARM's (a role named by `role_definition_name`, a lock's `lock_level`,
a pricing's `extension` blocks), the difference is handled here so rules see the same model.
"""

from __future__ import annotations

import json
from typing import Any

from regwarden.collect.coerce import to_bool, to_int, to_str
from regwarden.collect.terraform.common import Reader, TfResource, Unknown, blocks, lookup
from regwarden.collect.terraform.index import resource_id, resource_name
from regwarden.model.arm_id import BUILT_IN_ROLES, last_segment
from regwarden.model.registry import (
    AlertRule,
    DefenderPlan,
    DiagnosticSetting,
    LogAnalyticsWorkspace,
    ManagementLock,
    RoleAssignment,
    Value,
)

WORKSPACE = "azurerm_log_analytics_workspace"
IDENTITY_TYPES = ("azurerm_user_assigned_identity",)
REGISTRY_SCAN_EXTENSION = "containerregistriesvulnerabilityassessments"


def parse_diagnostic_setting(resource: TfResource, origin: str, workspaces: dict[str, TfResource]) -> DiagnosticSetting:
    """`enabled_log` (azurerm ≥ 3.39) and the older `log` blocks with an `enabled` switch."""
    categories: list[str] = []
    retention: int | None = None
    for kind in ("enabled_log", "log"):
        entries = blocks(resource.values, kind)
        for entry in entries if not isinstance(entries, Unknown) else []:
            if kind == "log" and to_bool(lookup(entry, "enabled")) is False:
                continue
            label = to_str(lookup(entry, "category")) or to_str(lookup(entry, "category_group"))
            if label:
                categories.append(label)
            if to_bool(lookup(entry, "retention_policy", 0, "enabled")):
                days = to_int(lookup(entry, "retention_policy", 0, "days"))
                if days is not None and (retention is None or days < retention):
                    retention = days
    path = f"{resource.base}.enabled_log"
    return DiagnosticSetting(
        name=resource_name(resource),
        categories=Value.explicit(tuple(categories), path, origin),
        workspace_id=_target_id(resource, "log_analytics_workspace_id", workspaces),
        storage_account_id=_target_id(resource, "storage_account_id", {}),
        storage_retention_days=retention,
    )


def _target_id(resource: TfResource, attribute: str, targets: dict[str, TfResource]) -> str | None:
    raw = lookup(resource.values, attribute)
    if isinstance(raw, str) and raw:
        return raw
    for reference in resource.references.get(attribute, frozenset()):
        if reference in targets:
            return resource_id(targets[reference])
    # Set, but only known after apply: name the expression so the destination still counts as present.
    return f"{resource.base}.{attribute}" if isinstance(raw, Unknown) else None


def parse_workspace(resource: TfResource, origin: str) -> LogAnalyticsWorkspace:
    # azurerm's default retention is 30 days, the same as the service's.
    retention = Reader(resource, origin).read(("retention_in_days",), 30, to_int, "days")
    return LogAnalyticsWorkspace(resource_id(resource), retention)


def parse_role_assignment(resource: TfResource, origin: str, scope: str) -> RoleAssignment:
    reader = Reader(resource, origin)
    definition = reader.text("role_definition_id") or ""
    guid = last_segment(definition).casefold()
    role_name = reader.text("role_definition_name") or BUILT_IN_ROLES.get(guid)
    return RoleAssignment(
        principal_id=_principal(resource),
        principal_type=_principal_type(reader),
        role_definition_id=definition,
        role_name=role_name,
        scope=scope,
    )


def _principal(resource: TfResource) -> str:
    raw = lookup(resource.values, "principal_id")
    if isinstance(raw, str):
        return raw
    # Unknown until apply: name the identity by its address, which ci_principal_ids may list.
    references = sorted(resource.references.get("principal_id", frozenset()))
    return f"{references[0]}.principal_id" if references else f"{resource.base}.principal_id"


def _principal_type(reader: Reader) -> Value[str]:
    value = reader.read(("principal_type",), None, to_str, "a principal type")
    if value.known and value.value is not None:
        return value
    if any(reader.resource.refs_of_type("principal_id", kind) for kind in IDENTITY_TYPES):
        # A managed identity is a service principal.
        return Value.explicit("ServicePrincipal", reader.path("principal_id"), reader.origin)
    return Value.unavailable(reader.path("principal_type"), "principal type not known before apply", reader.origin)


def parse_lock(resource: TfResource, origin: str, scope: str) -> ManagementLock:
    reader = Reader(resource, origin)
    return ManagementLock(
        name=resource_name(resource),
        level=reader.read(("lock_level",), None, to_str, "CanNotDelete or ReadOnly"),
        scope=scope,
    )


def parse_defender(resource: TfResource, origin: str) -> DefenderPlan:
    reader = Reader(resource, origin)
    tier = reader.read(("tier",), None, to_str, "Free or Standard")
    path = reader.path("extension")
    extensions = blocks(resource.values, "extension")
    extension: Value[bool]
    if isinstance(extensions, Unknown):
        extension = Value.unresolved(path, extensions.reason, origin)
    elif not extensions:
        # Without extension blocks azurerm leaves the extensions to the service; the input cannot tell.
        extension = Value.unavailable(path, "no extension blocks: the plan's extensions are not managed here", origin)
    else:
        names = {str(lookup(e, "name")).casefold() for e in extensions}
        # Listed extensions are enabled; azurerm disables the plan's extensions it does not list.
        extension = Value.explicit(REGISTRY_SCAN_EXTENSION in names, path, origin)
    return DefenderPlan(tier, extension)


def is_containers_pricing(resource: TfResource) -> bool:
    # resource_type defaults to VirtualMachines in azurerm.
    kind = lookup(resource.values, "resource_type")
    return isinstance(kind, str) and kind.casefold() == "containers"


ALERT_KINDS = {
    "azurerm_monitor_activity_log_alert": "activityLogAlert",
    "azurerm_monitor_scheduled_query_rules_alert": "scheduledQueryRule",
    "azurerm_monitor_scheduled_query_rules_alert_v2": "scheduledQueryRule",
    "azurerm_monitor_metric_alert": "metricAlert",
}


def parse_alert(resource: TfResource, origin: str) -> AlertRule:
    reader = Reader(resource, origin)
    return AlertRule(
        name=resource_name(resource),
        kind=ALERT_KINDS.get(resource.type, resource.type),
        enabled=reader.read(("enabled",), True, to_bool, "a boolean"),
        text=json.dumps(_plain(resource.values), sort_keys=True),
    )


def _plain(node: Any) -> Any:
    if isinstance(node, Unknown):
        return None
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node
