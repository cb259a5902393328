"""Templates and exports that hold only child resources of a registry kept elsewhere.

The children are audited under the registry they name (by id, ParentResource, `registry/child` name, a template's
format()/concat() name, a dependsOn, or an `existing` registry): the rules about the children give verdicts,
and every rule that needs the registry's own properties is UNKNOWN and says the registry is not in the input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from regwarden.collect.azure.parents import UNNAMED
from regwarden.collect.azure.resources import registries_from_resources
from regwarden.collect.azure.template import registries_from_template
from regwarden.model.finding import Status
from regwarden.model.registry import Registry, ValueSource
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
REG = f"{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoprod01"
REPLICATIONS = "Microsoft.ContainerRegistry/registries/replications"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
BY_ID = "the registry is not in the input, only its child resources (named by the child's resource id)"


def replica(name: str, location: str, zone_redundancy: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": REPLICATIONS,
        "location": location,
        "properties": {"zoneRedundancy": zone_redundancy},
        **extra,
    }


def replicas(registry: Registry) -> list[tuple[str, str | None]]:
    return [(r.name, r.location.value) for r in registry.replications.value or ()]


def verdicts(registry: Registry) -> dict[str, Status]:
    config = PostureConfig(allowed_regions=("westeurope", "northeurope"))
    return {r.rule.id: r.status for r in evaluate([registry], config, today=date(2026, 1, 15))}


def test_an_export_of_replications_only_is_audited_under_the_registry_their_ids_name() -> None:
    exported = [
        replica("northeurope", "northeurope", "Enabled", id=f"{REG}/replications/northeurope"),
        replica("eastus", "eastus", "Disabled", id=f"{REG}/replications/eastus"),
    ]
    (registry,) = registries_from_resources(exported, "replications.json")

    assert (registry.name, registry.id, registry.resource_group) == ("contosoprod01", REG, "rg-acr")
    assert replicas(registry) == [("northeurope", "northeurope"), ("eastus", "eastus")]
    assert (registry.sku.source, registry.sku.reason) == (ValueSource.UNAVAILABLE, BY_ID)
    decided = {rule: status for rule, status in verdicts(registry).items() if status is not Status.UNKNOWN}
    assert decided == {
        "RW-ACR-027": Status.SKIPPED,  # regulated profile only
        "RW-ACR-040": Status.PASS,  # two replica regions: one is not the home region, whichever it is
        "RW-ACR-041": Status.FAIL,  # eastus is not allowed
        "RW-ACR-042": Status.FAIL,  # the eastus replica is not zone redundant
        "RW-ACR-051": Status.PASS,  # the name is known from the ids
    }


def test_the_registry_own_properties_are_unknown_with_the_reason_never_a_default() -> None:
    (registry,) = registries_from_resources(
        [replica("eastus", "eastus", "Enabled", id=f"{REG}/replications/eastus")], "r.json"
    )
    own = [
        registry.location,
        registry.admin_user_enabled,
        registry.public_network_access,
        registry.zone_redundancy,
        registry.ip_rules,
        registry.private_endpoint_connections,
    ]
    assert {(value.source, value.reason) for value in own} == {(ValueSource.UNAVAILABLE, BY_ID)}
    assert verdicts(registry)["RW-ACR-042"] is Status.UNKNOWN  # every replica redundant, the registry unknown


def test_children_of_another_registry_beside_a_listed_one_get_their_own_registry() -> None:
    other = REG.replace("contosoprod01", "contosodr01")
    listed = {
        "id": REG,
        "name": "contosoprod01",
        "type": "Microsoft.ContainerRegistry/registries",
        "location": "westeurope",
    }
    resources = [
        listed,
        replica("northeurope", "northeurope", "Enabled", id=f"{REG}/replications/northeurope"),
        replica("eastus", "eastus", "Enabled", id=f"{other}/replications/eastus"),
        {"name": "contosodr01/ci-push", "type": "Microsoft.ContainerRegistry/registries/tokens", "properties": {}},
    ]
    prod, disaster = registries_from_resources(resources, "mixed.json")

    assert (prod.name, replicas(prod), prod.location.value) == (
        "contosoprod01",
        [("northeurope", "northeurope")],
        "westeurope",
    )
    assert (disaster.name, disaster.id, replicas(disaster)) == ("contosodr01", other, [("eastus", "eastus")])
    assert [t.name for t in disaster.tokens.value or ()] == ["ci-push"]
    assert (prod.tokens.value, prod.tokens.source) == ((), ValueSource.EXPLICIT)


def test_az_powershell_parent_resource_and_registry_child_names_name_the_registry() -> None:
    resources = [
        {
            "Name": "region2",
            "ResourceType": REPLICATIONS,
            "Location": "region2",
            "ParentResource": "registries/registry-B",
        },
        {"name": "contosoprod01/westeurope", "type": REPLICATIONS, "location": "westeurope"},
    ]
    first, second = registries_from_resources(resources, "psrule.json")

    assert (first.name, first.id, replicas(first)) == ("registry-B", "psrule.json#registry-B", [("region2", "region2")])
    assert (second.name, replicas(second)) == ("contosoprod01", [("westeurope", "westeurope")])


def test_children_that_name_no_registry_share_one_placeholder_registry() -> None:
    (registry,) = registries_from_resources([replica("fail2", "eastus", "Enabled")], "bare.json")

    assert (registry.name, replicas(registry)) == (UNNAMED, [("fail2", "eastus")])
    assert registry.location.reason == "the registry is not in the input, and its child resources do not name it"
    assert verdicts(registry)["RW-ACR-051"] is Status.UNKNOWN  # a bracketed name is not known


def template(resources: Any, parameters: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters or {},
        "resources": resources,
        **extra,
    }


NO_VALUE = {"acrName": {"type": "string"}}


def test_a_template_names_the_registry_in_a_format_or_concat_name() -> None:
    resources = [
        replica("[format('{0}/{1}', parameters('acrName'), 'northeurope')]", "northeurope", "Enabled"),
        replica("[concat(parameters('acrName'), '/', 'eastus')]", "eastus", "Disabled"),
        replica("[concat(parameters('acrName'), '/swedencentral')]", "swedencentral", "Enabled"),
    ]
    (registry,) = registries_from_template(template(resources, NO_VALUE), "replicas.json")

    assert registry.name == "[parameters('acrName')]"
    assert replicas(registry) == [
        ("northeurope", "northeurope"),
        ("eastus", "eastus"),
        ("swedencentral", "swedencentral"),
    ]
    assert verdicts(registry)["RW-ACR-042"] is Status.FAIL


def test_a_resolved_registry_name_and_a_depends_on_resource_id_name_the_registry() -> None:
    parameters = {"acrName": {"type": "string", "defaultValue": "contosoprod01"}}
    resources = [
        replica("[format('{0}/{1}', parameters('acrName'), 'northeurope')]", "northeurope", "Enabled"),
        replica(
            "eastus",
            "eastus",
            "Enabled",
            dependsOn=["[resourceId('Microsoft.ContainerRegistry/registries', parameters('acrName'))]"],
        ),
    ]
    (registry,) = registries_from_template(template(resources, parameters), "replicas.json")

    assert (registry.name, registry.id) == ("contosoprod01", "replicas.json#contosoprod01")
    assert replicas(registry) == [("northeurope", "northeurope"), ("eastus", "eastus")]


def test_a_bicep_existing_registry_named_by_its_symbolic_name_in_depends_on() -> None:
    parameters = {"acrName": {"type": "string", "defaultValue": "contosoprod01"}}
    resources = {
        "acr": {"type": "Microsoft.ContainerRegistry/registries", "existing": True, "name": "[parameters('acrName')]"},
        "replica": replica("westus", "westus", "Enabled", dependsOn=["acr"]),
    }
    doc = template(resources, parameters, languageVersion="2.0")
    (registry,) = registries_from_template(doc, "bicep.json")

    assert (registry.name, replicas(registry)) == ("contosoprod01", [("westus", "westus")])
    assert registry.sku.source is ValueSource.UNAVAILABLE  # `existing`: deployed elsewhere, its properties unknown
