"""The alert rules as an ARM deployment template (resource group scope): one `Microsoft.Insights/
scheduledQueryRules` resource per detection, scoped to the workspace given as the `workspaceId` parameter."""

from __future__ import annotations

import json
from typing import Any

from regwarden.detect.alert_rules import API_VERSION, AlertRule, AlertRuleSet, iso_duration

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
WORKSPACE_HELP = "Resource id of the Log Analytics workspace the registries' diagnostic settings send to."


def render(rules: AlertRuleSet, workspace_id: str | None = None) -> bytes:
    workspace: dict[str, Any] = {"type": "string", "metadata": {"description": WORKSPACE_HELP}}
    if workspace_id:
        workspace["defaultValue"] = workspace_id
    template = {
        "$schema": TEMPLATE_SCHEMA,
        "contentVersion": "1.0.0.0",
        "metadata": {"generator": "regwarden logs alert-rules"},
        "parameters": {
            "workspaceId": workspace,
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "actionGroupIds": {
                "type": "array",
                "defaultValue": [],
                "metadata": {"description": "Action groups to notify when a rule fires."},
            },
        },
        "resources": [resource(rule) for rule in rules.rules],
    }
    return (json.dumps(template, indent=2, ensure_ascii=False) + "\n").encode()


def resource(rule: AlertRule, scope: str = "[parameters('workspaceId')]") -> dict[str, Any]:
    properties: dict[str, Any] = {
        "displayName": rule.display_name,
        "description": rule.description,
        "severity": rule.severity,
        "enabled": True,
        "evaluationFrequency": iso_duration(rule.frequency),
        "windowSize": iso_duration(rule.window),
        "scopes": [scope],
        "criteria": {
            "allOf": [
                {
                    "query": rule.query,
                    "timeAggregation": "Count",
                    "operator": "GreaterThan",
                    "threshold": 0,
                    "failingPeriods": {"numberOfEvaluationPeriods": 1, "minFailingPeriodsToAlert": 1},
                }
            ]
        },
        "autoMitigate": False,
        "actions": {"actionGroups": "[parameters('actionGroupIds')]"},
    }
    if rule.query_time_range is not None:
        properties["overrideQueryTimeRange"] = iso_duration(rule.query_time_range)
    return {
        "type": "Microsoft.Insights/scheduledQueryRules",
        "apiVersion": API_VERSION,
        "name": rule.name,
        "location": "[parameters('location')]",
        "kind": "LogAlert",
        "properties": properties,
    }
