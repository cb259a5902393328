"""ARM deployment templates: parameters, variables, expressions, nested and dependsOn children, Bicep 2.0."""

from __future__ import annotations

from typing import Any

from regwarden.collect.arm_expressions import Evaluator
from regwarden.collect.arm_template import registries_from_template
from regwarden.model.registry import ValueSource

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template(resources: Any, parameters: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "resources": resources,
        **extra,
    }


def registry(**properties: Any) -> dict[str, Any]:
    return {
        "type": "Microsoft.ContainerRegistry/registries",
        "apiVersion": "2025-11-01",
        "name": "[parameters('name')]",
        "location": "[resourceGroup().location]",
        "sku": {"name": "Premium"},
        "properties": properties,
    }


NAME = {"name": {"type": "string", "defaultValue": "contosoprod01"}}


def test_parameters_file_overrides_default_values() -> None:
    doc = template(
        [registry(adminUserEnabled="[parameters('admin')]")],
        {**NAME, "admin": {"type": "bool", "defaultValue": False}},
    )
    (default,) = registries_from_template(doc, "t.json")
    (overridden,) = registries_from_template(doc, "t.json", {"admin": True})
    assert (default.name, default.admin_user_enabled.value) == ("contosoprod01", False)
    assert overridden.admin_user_enabled.value is True


def test_unresolvable_expressions_keep_their_text_as_the_reason() -> None:
    (parsed,) = registries_from_template(template([registry()], NAME), "t.json")
    assert parsed.location.source is ValueSource.UNRESOLVED
    assert parsed.location.reason == "unresolved ARM expression: [resourceGroup().location]"


def test_language_version_2_resources_object_skips_existing() -> None:
    doc = template(
        {
            "acr": registry(publicNetworkAccess="[variables('access')]"),
            "workspace": {
                "type": "Microsoft.OperationalInsights/workspaces",
                "existing": True,
                "name": "law",
            },
        },
        NAME,
        languageVersion="2.0",
        variables={"access": "Disabled"},
    )
    (parsed,) = registries_from_template(doc, "bicep.json")
    assert parsed.public_network_access.value == "Disabled"
    assert parsed.workspaces.source is ValueSource.UNAVAILABLE


def test_child_with_unresolved_name_attaches_through_depends_on() -> None:
    child = {
        "type": "Microsoft.ContainerRegistry/registries/replications",
        "name": "[format('{0}/{1}', parameters('name'), uniqueString('x'))]",
        "location": "eastus",
        "dependsOn": ["[resourceId('Microsoft.ContainerRegistry/registries', parameters('name'))]"],
        "properties": {},
    }
    (parsed,) = registries_from_template(template([registry(), child], NAME), "t.json")
    assert [r.location.value for r in parsed.replications.value or ()] == ["eastus"]


def test_evaluator_functions() -> None:
    evaluator = Evaluator({"env": "Prod"}, {"prefix": "[concat('acr', toLower(parameters('env')))]"})
    assert evaluator.resolve("[variables('prefix')]") == "acrprod"
    assert evaluator.resolve("[format('{0}-{1}', 'a', 1)]") == "a-1"
    assert evaluator.resolve("[if(true(), 'yes', 'no')]") == "yes"
    assert evaluator.resolve("[[literal]") == "[literal]"
    assert evaluator.resolve("[reference('x').outputs]") == "[reference('x').outputs]"
    assert evaluator.resolve("[parameters('missing')]") == "[parameters('missing')]"
