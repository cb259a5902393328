"""Parsers for resources related to a registry but not its children: monitoring, RBAC, locks, Defender.

Also where such a resource is scoped (`scope_of`); whether that scope covers a given registry is
`model.arm_id.scope_covers`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regwarden.collect.azure.keys import as_list, get, properties, read
from regwarden.collect.coerce import to_bool, to_int, to_str
from regwarden.model.arm_id import BUILT_IN_ROLES, last_segment
from regwarden.model.registry import (
    AlertRule,
    DefenderPlan,
    DiagnosticSetting,
    LogAnalyticsWorkspace,
    ManagementLock,
    PolicyAssignment,
    RoleAssignment,
    SecurityAssessment,
    Value,
)

_PROVIDERS = "/providers/"


def scope_of(resource: Mapping[str, Any], provider_type: str) -> str | None:
    """The scope of an extension resource: its `scope` property, else its id's part before the provider."""
    scope = to_str(get(properties(resource), "scope")) or to_str(get(resource, "scope"))
    if scope:
        return scope
    resource_id = to_str(get(resource, "id"))
    marker = f"{_PROVIDERS}{provider_type}/".casefold()
    if resource_id and marker in resource_id.casefold():
        return resource_id[: resource_id.casefold().index(marker)] or "/"
    return None


def parse_diagnostic_setting(resource: Mapping[str, Any], origin: str) -> DiagnosticSetting:
    props = properties(resource)
    categories: list[str] = []
    retention: int | None = None
    for log in as_list(get(props, "logs")):
        if to_bool(get(log, "enabled")) is False:
            continue
        label = to_str(get(log, "category")) or to_str(get(log, "categoryGroup"))
        if label:
            categories.append(label)
        if to_bool(get(log, "retentionPolicy", "enabled")):
            days = to_int(get(log, "retentionPolicy", "days"))
            retention = days if retention is None or (days is not None and days < retention) else retention
    return DiagnosticSetting(
        name=to_str(get(resource, "name")) or "?",
        categories=Value.explicit(tuple(categories), "diagnosticSettings.properties.logs", origin),
        workspace_id=to_str(get(props, "workspaceId")),
        storage_account_id=to_str(get(props, "storageAccountId")),
        storage_retention_days=retention,
    )


def parse_workspace(resource: Mapping[str, Any], origin: str) -> LogAnalyticsWorkspace:
    workspace_id = to_str(get(resource, "id")) or to_str(get(resource, "name")) or "?"
    # A workspace created without retentionInDays keeps data 30 days (the Log Analytics default).
    retention = read(
        properties(resource),
        ("retentionInDays",),
        "workspaces.properties.retentionInDays",
        origin,
        30,
        to_int,
        "days",
    )
    return LogAnalyticsWorkspace(workspace_id, retention)


def parse_role_assignment(resource: Mapping[str, Any], origin: str) -> RoleAssignment:
    props = properties(resource)
    definition = to_str(get(props, "roleDefinitionId")) or ""
    role_name = BUILT_IN_ROLES.get(last_segment(definition).casefold()) if definition else None
    principal_type: Value[str] = (
        read(
            props,
            ("principalType",),
            "roleAssignments.properties.principalType",
            origin,
            None,
            to_str,
            "a string",
        )
        if get(props, "principalType") is not None
        else Value.unavailable("roleAssignments.properties.principalType", "principal type not in the input", origin)
    )
    return RoleAssignment(
        principal_id=to_str(get(props, "principalId")) or "?",
        principal_type=principal_type,
        role_definition_id=definition,
        role_name=role_name or to_str(get(props, "roleDefinitionName")),
        scope=scope_of(resource, "Microsoft.Authorization/roleAssignments") or "",
    )


def parse_lock(resource: Mapping[str, Any], origin: str) -> ManagementLock:
    return ManagementLock(
        name=to_str(get(resource, "name")) or "?",
        level=read(properties(resource), ("level",), "locks.properties.level", origin, None, to_str, "a string"),
        scope=scope_of(resource, "Microsoft.Authorization/locks") or "",
    )


def parse_defender(resource: Mapping[str, Any], origin: str) -> DefenderPlan:
    props = properties(resource)
    tier = read(
        props,
        ("pricingTier",),
        "pricings/Containers.properties.pricingTier",
        origin,
        "Free",
        to_str,
        "a tier",
    )
    path = "pricings/Containers.properties.extensions[ContainerRegistriesVulnerabilityAssessments].isEnabled"
    extension: Value[bool] = Value.unavailable(path, "extension not listed in the input", origin)
    for entry in as_list(get(props, "extensions")):
        if str(get(entry, "name")).casefold() == "containerregistriesvulnerabilityassessments":
            extension = read(entry, ("isEnabled",), path, origin, False, to_bool, "True or False")
    return DefenderPlan(tier, extension)


def parse_assessment(resource: Mapping[str, Any], origin: str) -> SecurityAssessment:
    props = properties(resource)
    name = to_str(get(resource, "name")) or "?"
    return SecurityAssessment(
        name=name,
        display_name=to_str(get(props, "displayName")),
        status=read(props, ("status", "code"), f"assessments[{name}].status.code", origin, None, to_str, "a code"),
    )


def assessment_target(resource: Mapping[str, Any]) -> str | None:
    return to_str(get(properties(resource), "resourceDetails", "id")) or scope_of(
        resource, "Microsoft.Security/assessments"
    )


def parse_alert_rule(resource: Mapping[str, Any], kind: str, origin: str) -> AlertRule:
    props = properties(resource)
    name = to_str(get(resource, "name")) or "?"
    return AlertRule(
        name=name,
        kind=kind,
        enabled=read(props, ("enabled",), f"{kind}[{name}].properties.enabled", origin, True, to_bool, "a boolean"),
        # Everything the rule matches on, as text: operation names, categories, KQL queries.
        text=json.dumps(props, sort_keys=True),
    )


def alert_scopes(resource: Mapping[str, Any]) -> list[str]:
    props = properties(resource)
    scopes = [s for s in as_list(get(props, "scopes")) if isinstance(s, str)]
    # Log alerts of the 2018-04-16 API name their workspace in `source.dataSourceId` instead of `scopes`.
    legacy = to_str(get(props, "source", "dataSourceId"))
    return scopes or ([legacy] if legacy else [])


def parse_policy_assignment(resource: Mapping[str, Any], origin: str) -> PolicyAssignment:
    props = properties(resource)
    name = to_str(get(resource, "name")) or "?"
    return PolicyAssignment(
        name=name,
        policy_definition_id=to_str(get(props, "policyDefinitionId")) or "",
        scope=scope_of(resource, "Microsoft.Authorization/policyAssignments") or "",
        enforcement_mode=read(
            props,
            ("enforcementMode",),
            f"policyAssignments[{name}].enforcementMode",
            origin,
            "Default",
            to_str,
            "a mode",
        ),
    )
