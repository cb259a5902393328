"""ARM ids are compared one way everywhere (`model.arm_id.fold_id`): ids that differ only in letter case or a
trailing slash name the same resource, in the ARM adapter, the Terraform adapter and the rules alike."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from regwarden.collect.azure.resources import registries_from_resources
from regwarden.collect.terraform.plan import registries_from_terraform_json
from regwarden.model.arm_id import fold_id, id_part, last_segment
from regwarden.model.finding import Status
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
REG = f"{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoprod01"
SHOUTED = REG.upper() + "/"
WORKSPACE = f"{SUB}/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/law-audit"


def test_fold_id_ignores_letter_case_and_a_trailing_slash() -> None:
    assert fold_id(SHOUTED) == fold_id(REG + "/") == fold_id(REG) == REG.casefold()


@pytest.mark.parametrize(
    ("resource_id", "segment", "part"),
    [
        (REG, "resourcegroups", "rg-acr"),
        (REG, "subscriptions", "00000000-0000-0000-0000-000000000001"),
        (REG.replace("resourceGroups", "RESOURCEGROUPS"), "resourceGroups", "rg-acr"),
        (f"{SUB}/resourceGroups", "resourcegroups", None),  # the segment ends the id: no name follows
        (None, "subscriptions", None),
    ],
)
def test_id_part_reads_the_name_after_a_segment(resource_id: str | None, segment: str, part: str | None) -> None:
    assert id_part(resource_id, segment) == part


def test_last_segment_of_an_id_with_a_trailing_slash() -> None:
    assert last_segment(SHOUTED) == "CONTOSOPROD01"


def _registry(resource_id: str, name: str) -> dict[str, Any]:
    return {
        "id": resource_id,
        "name": name,
        "type": "Microsoft.ContainerRegistry/registries",
        "location": "westeurope",
        "sku": {"name": "Premium"},
    }


def test_arm_children_and_scoped_resources_attach_whatever_the_id_spelling() -> None:
    other = REG.replace("contosoprod01", "contosoother01")
    resources = [
        _registry(REG + "/", "contosoprod01"),  # a trailing slash on the registry's own id
        _registry(other, "contosoother01"),
        {
            "id": SHOUTED + "REPLICATIONS/northeurope/",
            "type": "Microsoft.ContainerRegistry/registries/replications",
            "location": "northeurope",
        },
        {
            "id": SHOUTED + "providers/Microsoft.Authorization/locks/no-delete",
            "name": "no-delete",
            "type": "Microsoft.Authorization/locks",
            "properties": {"level": "CanNotDelete"},
        },
    ]
    prod, other_registry = registries_from_resources(resources, "ids.json")

    assert [r.location.value for r in prod.replications.value or ()] == ["northeurope"]
    assert [lock.name for lock in prod.locks.value or ()] == ["no-delete"]
    assert (other_registry.replications.value, other_registry.locks.value) == ((), ())


def test_terraform_links_and_the_log_retention_rule_fold_ids_the_same_way() -> None:
    state = {
        "format_version": "1.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "azurerm_container_registry.acr",
                        "type": "azurerm_container_registry",
                        "values": {"id": REG + "/", "name": "contosoprod01", "sku": "Premium", "location": "x"},
                    },
                    {
                        "address": "azurerm_monitor_diagnostic_setting.audit",
                        "type": "azurerm_monitor_diagnostic_setting",
                        "values": {
                            "name": "audit",
                            "target_resource_id": SHOUTED,
                            "log_analytics_workspace_id": WORKSPACE.upper(),
                            "enabled_log": [{"category_group": "audit"}],
                        },
                    },
                    {
                        "address": "azurerm_log_analytics_workspace.audit",
                        "type": "azurerm_log_analytics_workspace",
                        "values": {"id": WORKSPACE + "/", "name": "law-audit", "retention_in_days": 400},
                    },
                ]
            }
        },
    }
    registry = registries_from_terraform_json(state, "state.json")[0]

    assert [s.name for s in registry.diagnostic_settings.value or ()] == ["audit"]
    logs_kept = next(r for r in ALL_RULES if r.meta.id == "RW-ACR-031")
    result = evaluate([registry], PostureConfig(), [logs_kept], today=date(2026, 1, 15))[0]
    assert (result.status, result.message) == (Status.PASS, "workspace keeps logs 400 days")
