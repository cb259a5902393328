"""ARM deployment templates: parameters, variables, expressions, nested and dependsOn children, Bicep 2.0."""

from __future__ import annotations

from typing import Any

from regwarden.collect.azure.expressions import Evaluator
from regwarden.collect.azure.template import registries_from_template
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
    assert evaluator.resolve("[and(equals(parameters('env'), 'Prod'), not(false()))]") is True
    assert evaluator.resolve("[or(equals(1, 2), equals('a', 'A'))]") is False
    assert evaluator.resolve("[not('text')]") == "[not('text')]"  # not a boolean: left unresolved
    assert evaluator.resolve("[[literal]") == "[literal]"
    assert evaluator.resolve("[reference('x').outputs]") == "[reference('x').outputs]"
    assert evaluator.resolve("[parameters('missing')]") == "[parameters('missing')]"


def test_evaluator_reads_members_and_takes_only_the_chosen_branch() -> None:
    """The quickstart `container-registry-with-policies-and-diagnostics` shape: `empty()`, `createObject()`,
    `null()` and `parameters('ipRules').defaultAction` inside an `if` whose other branch is unknowable."""
    rules = {"defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "203.0.113.0/24"}]}
    network = (
        "[if(not(empty(parameters('ipRules'))), createObject('defaultAction', parameters('ipRules').defaultAction, "
        "'ipRules', parameters('ipRules').ipRules), createObject())]"
    )
    evaluator = Evaluator({"ipRules": rules, "none": {}, "workspace": ""}, {"zones": ["1", "2"]})
    assert evaluator.resolve(network) == rules
    assert Evaluator({"ipRules": {}}, {}).resolve(network) == {}  # `.defaultAction` of {} is never read
    assert evaluator.resolve("[if(empty(parameters('workspace')), null(), parameters('workspace'))]") is None
    assert evaluator.resolve("[variables('zones')[1]]") == "2"
    assert evaluator.resolve("[parameters('ipRules').ipRules[0].value]") == "203.0.113.0/24"
    assert evaluator.resolve("[parameters('ipRules').DEFAULTACTION]") == "Deny"  # ARM names ignore case
    assert evaluator.resolve("[createArray('a', 1)]") == ["a", 1]
    # Still unknown: a missing member, an index out of range, an unknowable condition.
    assert evaluator.resolve("[parameters('none').defaultAction]") == "[parameters('none').defaultAction]"
    assert evaluator.resolve("[variables('zones')[5]]") == "[variables('zones')[5]]"
    unknowable = "[if(equals(uniqueString('x'), 'y'), 'a', 'b')]"
    assert evaluator.resolve(unknowable) == unknowable
    assert evaluator.resolve("[if('yes', 'a', 'b')]") == "[if('yes', 'a', 'b')]"


UNRESOLVABLE_NAMES = {
    # The quickstart default: a name only known at deployment time.
    "acrName": {"type": "string", "defaultValue": "[format('acr{0}', uniqueString(resourceGroup().id))]"},
    "otherName": {"type": "string", "defaultValue": "[concat('dev', uniqueString(resourceGroup().id))]"},
    "replicaLocation": {"type": "string", "defaultValue": "swedencentral"},
}


def named_registry(name_parameter: str) -> dict[str, Any]:
    return {**registry(), "name": f"[parameters('{name_parameter}')]", "location": "westeurope"}


def replica_of(name_parameter: str, name: str) -> dict[str, Any]:
    return {
        "type": "Microsoft.ContainerRegistry/registries/replications",
        "name": name,
        "location": "[parameters('replicaLocation')]",
        "dependsOn": [f"[resourceId('Microsoft.ContainerRegistry/registries', parameters('{name_parameter}'))]"],
        "properties": {"zoneRedundancy": "[false]"},
    }


def test_child_of_a_registry_whose_own_name_is_unresolvable_attaches_by_expression_text() -> None:
    resources = [
        named_registry("acrName"),
        named_registry("otherName"),
        replica_of("acrName", "[format('{0}/{1}', parameters('acrName'), parameters('replicaLocation'))]"),
    ]
    acr, other = registries_from_template(template(resources, UNRESOLVABLE_NAMES), "t.json")
    assert (acr.name, other.name) == ("[parameters('acrName')]", "[parameters('otherName')]")
    (replica,) = acr.replications.value or ()
    # The child's own name is the last argument of format(); its location resolves from the default.
    assert (replica.name, replica.location.value) == ("[parameters('replicaLocation')]", "swedencentral")
    # `[false]` is not an ARM expression (false() is): the value stays unresolved, never a guess.
    assert replica.zone_redundancy.source is ValueSource.UNRESOLVED
    assert other.replications.value == ()


def test_replication_without_a_declared_registry_is_audited_under_the_registry_its_depends_on_names() -> None:
    """Checkov's zone-redundancy fixtures declare a replication alone; only dependsOn names its registry."""
    orphan = replica_of("acrName", "fail2")
    orphan["outputs"] = {}  # misplaced inside the resource in the fixture; must be ignored
    (parent,) = registries_from_template(template([orphan], UNRESOLVABLE_NAMES), "t.json")
    assert (parent.name, parent.id) == ("[parameters('acrName')]", "t.json#[parameters('acrName')]")
    assert [(r.name, r.location.value) for r in parent.replications.value or ()] == [("fail2", "swedencentral")]
    assert (parent.sku.source, parent.sku.reason) == (
        ValueSource.UNAVAILABLE,
        "the registry is not in the input, only its child resources (named by the child's ParentResource, or its name "
        "or dependsOn in a template)",
    )


def test_lowercase_sku_and_display_name_location_are_read_as_written() -> None:
    doc = template([{**registry(), "sku": {"name": "premium"}, "location": "West Europe"}], NAME)
    (parsed,) = registries_from_template(doc, "t.json")
    assert (parsed.sku.value, parsed.location.value) == ("premium", "West Europe")


def test_condition_from_a_parameter_is_judged_after_resolution() -> None:
    conditional = {**registry(), "condition": "[parameters('deployRegistry')]"}
    off = template([conditional], {**NAME, "deployRegistry": {"type": "bool", "defaultValue": False}})
    on = template([conditional], {**NAME, "deployRegistry": {"type": "bool", "defaultValue": True}})
    unknown = template([conditional], NAME)  # no value: the registry may be deployed, so it is audited
    assert registries_from_template(off, "t.json") == []
    assert [r.name for r in registries_from_template(on, "t.json")] == ["contosoprod01"]
    assert [r.name for r in registries_from_template(unknown, "t.json")] == ["contosoprod01"]


def module(inner_resources: list[Any], scope: str | None, parameters: dict[str, Any]) -> dict[str, Any]:
    """A nested deployment as Bicep compiles a `module` (inner scope) or as hand-written ARM (outer)."""
    properties: dict[str, Any] = {
        "mode": "Incremental",
        "parameters": parameters,
        "template": template(
            inner_resources, {"name": {"type": "string"}, "admin": {"type": "bool", "defaultValue": False}}
        ),
    }
    if scope is not None:
        properties["expressionEvaluationOptions"] = {"scope": scope}
    return {"type": "Microsoft.Resources/deployments", "name": "acr-module", "properties": properties}


def test_registry_inside_a_bicep_module_gets_the_values_passed_to_it() -> None:
    inner = [{**registry(adminUserEnabled="[parameters('admin')]"), "location": "westeurope"}]
    passed = {"name": {"value": "[parameters('registryName')]"}, "admin": {"value": True}}
    outer = template(
        [module(inner, "inner", passed)], {"registryName": {"type": "string", "defaultValue": "contosomod01"}}
    )
    (parsed,) = registries_from_template(outer, "main.json")
    assert (parsed.name, parsed.admin_user_enabled.value, parsed.location.value) == (
        "contosomod01",
        True,
        "westeurope",
    )


def test_outer_scope_nested_template_reads_outer_parameters_and_variables() -> None:
    inner = [{**registry(publicNetworkAccess="[variables('access')]"), "location": "westeurope"}]
    outer = template([module(inner, None, {})], NAME, variables={"access": "Disabled"})
    (parsed,) = registries_from_template(outer, "main.json")
    assert (parsed.name, parsed.public_network_access.value) == ("contosoprod01", "Disabled")


def test_module_switched_off_by_condition_declares_nothing() -> None:
    inner = [{**registry(), "location": "westeurope"}]
    unknown = {**module(inner, "inner", {"name": {"value": "x"}}), "condition": "[reference('x').enabled]"}
    # reference() is not evaluated statically: the condition stays unknown and the registry is audited.
    assert len(registries_from_template(template([unknown]), "main.json")) == 1
    for condition in (False, "[equals(parameters('env'), 'prod')]", "[not(true())]"):
        off = {**unknown, "condition": condition}
        params = {"env": {"type": "string", "defaultValue": "dev"}}
        assert registries_from_template(template([off], params), "main.json") == [], condition


def replica_loop(count: str) -> dict[str, Any]:
    """AVM-style `copy` loop over an array parameter: one replication per entry."""
    return {
        "copy": {"name": "replicas", "count": count},
        "type": "Microsoft.ContainerRegistry/registries/replications",
        "apiVersion": "2023-07-01",
        "name": "[format('{0}/{1}', parameters('name'), parameters('regions')[copyIndex()])]",
        "location": "[parameters('regions')[copyIndex()]]",
        "properties": {"zoneRedundancy": "[if(equals(copyIndex(1), 1), 'Enabled', 'Disabled')]"},
    }


def test_copy_loop_deploys_one_resource_per_index() -> None:
    regions = {"regions": {"type": "array", "defaultValue": ["swedencentral", "northeurope"]}}
    document = template([registry(), replica_loop("[length(parameters('regions'))]")], {**NAME, **regions})
    (parsed,) = registries_from_template(document, "t.json")
    replicas = parsed.replications.value or ()
    assert {(r.location.value, r.zone_redundancy.value) for r in replicas} == {
        ("swedencentral", "Enabled"),
        ("northeurope", "Disabled"),
    }


def test_copy_loop_with_unknown_count_makes_the_type_unknown_not_one_phantom() -> None:
    regions = {"regions": {"type": "array"}}  # no default, not nullable: no value
    document = template([registry(), replica_loop("[length(parameters('regions'))]")], {**NAME, **regions})
    (parsed,) = registries_from_template(document, "t.json")
    assert parsed.replications.source is ValueSource.UNAVAILABLE
    assert "copy loop count" in (parsed.replications.reason or "")


def test_nullable_parameter_without_default_is_null_and_zero_iterations_deploy_nothing() -> None:
    regions = {"regions": {"type": "array", "nullable": True}}
    loop = replica_loop("[length(coalesce(parameters('regions'), createArray()))]")
    (parsed,) = registries_from_template(template([registry(), loop], {**NAME, **regions}), "t.json")
    assert parsed.replications.source is ValueSource.UNAVAILABLE
    assert parsed.replications.reason == "not present in the input"


def test_property_copy_loop_becomes_the_property_list() -> None:
    setting = {
        "type": "Microsoft.Insights/diagnosticSettings",
        "apiVersion": "2021-05-01-preview",
        "scope": "[format('Microsoft.ContainerRegistry/registries/{0}', parameters('name'))]",
        "name": "audit",
        "properties": {
            "workspaceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w",
            "copy": [
                {
                    "name": "logs",
                    "count": "[length(parameters('categories'))]",
                    "input": {"category": "[parameters('categories')[copyIndex('logs')]]", "enabled": True},
                }
            ],
        },
    }
    categories = {"categories": {"type": "array", "defaultValue": ["ContainerRegistryLoginEvents", "x"]}}
    (parsed,) = registries_from_template(template([registry(), setting], {**NAME, **categories}), "t.json")
    (found,) = parsed.diagnostic_settings.value or ()
    assert found.categories.value == ("ContainerRegistryLoginEvents", "x")


def test_copy_loop_beyond_arms_limit_is_not_expanded() -> None:
    """ARM deploys at most 800 copies; a larger count is not expanded (nor allocated) but left unknown."""
    regions = {"regions": {"type": "array", "defaultValue": ["swedencentral"]}}
    document = template([registry(), replica_loop("[length(createArray(1, 2))]")], {**NAME, **regions})
    document["resources"][1]["copy"]["count"] = 10**9
    (parsed,) = registries_from_template(document, "t.json")
    assert parsed.replications.source is ValueSource.UNAVAILABLE
    assert "copy loop count" in (parsed.replications.reason or "")
