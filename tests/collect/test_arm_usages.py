"""Registry usages (`listUsages`) in every shape an export gives them, each attached to its own registry."""

from __future__ import annotations

from typing import Any

import pytest

from regwarden.collect.azure.resources import registries_from_resources
from regwarden.model.registry import Registry, ValueSource

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-acr/providers"
PROD = f"{SUB}/Microsoft.ContainerRegistry/registries/contosoprod01"
TEST = f"{SUB}/Microsoft.ContainerRegistry/registries/contosotest01"
LIST_USAGES = "Microsoft.ContainerRegistry/registries/listUsages"


def registry(resource_id: str, **extra: Any) -> dict[str, Any]:
    name = resource_id.rsplit("/", 1)[1]
    return {"id": resource_id, "name": name, "type": "Microsoft.ContainerRegistry/registries", **extra}


def usages(found: Registry) -> set[tuple[str, float | None, float | None]]:
    return {(u.name, u.current.value, u.limit.value) for u in found.usages.value or ()}


def test_one_top_level_resource_per_usage_finds_its_registry_by_id() -> None:
    resources = [
        registry(PROD),
        registry(TEST),
        {
            "id": f"{PROD}/listUsages/Size",
            "name": "contosoprod01/Size",
            "type": LIST_USAGES,
            "limit": 100,
            "currentValue": 95,
        },
        {"id": f"{TEST}/listUsages/Size", "name": "Size", "type": LIST_USAGES, "limit": 100, "currentValue": 10},
        {"id": f"{TEST}/listUsages/Webhooks", "type": LIST_USAGES, "name": "Webhooks", "limit": 500, "currentValue": 2},
    ]
    prod, test = registries_from_resources(resources, "flat.json")

    assert usages(prod) == {("Size", 95.0, 100.0)}
    assert usages(test) == {("Size", 10.0, 100.0), ("Webhooks", 2.0, 500.0)}


def test_usages_nested_one_per_resource_with_values_in_properties() -> None:
    nested = [
        {
            "type": "listUsages",
            "name": {"value": "Size", "localizedValue": "Size"},
            "properties": {"limit": 8, "currentValue": 2},
        },
        {"ResourceType": LIST_USAGES, "Name": "Webhooks", "limit": 500, "currentValue": 0, "unit": "Count"},
    ]
    (found,) = registries_from_resources([registry(PROD, resources=nested)], "nested.json")

    assert usages(found) == {("Size", 2.0, 8.0), ("Webhooks", 0.0, 500.0)}
    assert [u.unit for u in found.usages.value or () if u.name == "Webhooks"] == ["Count"]


def test_a_top_level_list_wrapper_with_an_id_attaches_its_entries_to_that_registry() -> None:
    wrapper = {
        "id": f"{TEST}/listUsages",
        "type": LIST_USAGES,
        "value": [
            {"name": "Size", "limit": 100, "currentValue": 40},
            {"name": "Webhooks", "limit": 500, "currentValue": 1},
        ],
    }
    prod, test = registries_from_resources([registry(PROD), registry(TEST), wrapper], "wrapper.json")

    assert (prod.usages.value, prod.usages.source) == ((), ValueSource.EXPLICIT)
    assert usages(test) == {("Size", 40.0, 100.0), ("Webhooks", 1.0, 500.0)}


@pytest.mark.parametrize("current", ["[reference('x').currentValue]", "full", None])
def test_an_unreadable_usage_value_is_unresolved_not_a_number(current: Any) -> None:
    entry = {"type": LIST_USAGES, "name": "Size", "limit": 100, "currentValue": current}
    (found,) = registries_from_resources([registry(PROD, resources=[entry])], "odd.json")

    (size,) = found.usages.value or ()
    expected = ValueSource.DEFAULT if current is None else ValueSource.UNRESOLVED
    assert (size.current.value, size.current.source) == (None, expected)
