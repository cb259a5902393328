"""Every rule whose verdict depends on the SKU says UNKNOWN when the SKU is in the input but cannot be read.

A registry is audited with each SKU; the rules whose verdict changes with it are the SKU-dependent ones, and
each must give UNKNOWN (with the SKU's reason) for a malformed SKU, never a PASS or a FAIL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from regwarden.collect.azure.resources import registries_from_resources
from regwarden.model.finding import Status
from regwarden.posture.config import PostureConfig, Profile
from regwarden.posture.engine import evaluate

REGISTRY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-acr/providers/"
    "Microsoft.ContainerRegistry/registries/contosoprod01"
)
WELL_FORMED = ({"name": "Premium"}, {"name": "Standard"}, {"name": "Basic"})
MALFORMED = ([], 3, "Premium", {"tier": "Premium"}, {"name": ["Premium"]}, {"name": ""})


def verdicts(sku: Any) -> dict[str, tuple[Status, str]]:
    registry = {
        "id": REGISTRY_ID,
        "name": "contosoprod01",
        "type": "Microsoft.ContainerRegistry/registries",
        "location": "westeurope",
        "sku": sku,
        "properties": {"anonymousPullEnabled": True, "zoneRedundancy": "Enabled"},
        "replications": [
            {"name": "northeurope", "location": "northeurope", "properties": {"zoneRedundancy": "Enabled"}}
        ],
    }
    registries = registries_from_resources([registry], "sku.json")
    results = evaluate(registries, PostureConfig(profile=Profile.REGULATED), today=date(2026, 1, 15))
    return {r.rule.id: (r.status, r.message) for r in results}


def sku_dependent() -> set[str]:
    by_sku = [verdicts(sku) for sku in WELL_FORMED]
    return {rule for rule in by_sku[0] if len({found[rule][0] for found in by_sku}) > 1}


def test_the_sku_dependent_rules_are_those_that_read_the_sku() -> None:
    assert sku_dependent() == {"RW-ACR-002", "RW-ACR-010", "RW-ACR-040"}


@pytest.mark.parametrize("sku", MALFORMED, ids=repr)
def test_a_malformed_sku_makes_every_sku_dependent_rule_unknown(sku: Any) -> None:
    found = verdicts(sku)
    for rule in sku_dependent():
        status, message = found[rule]
        assert status is Status.UNKNOWN, (rule, message)
        assert "SKU" in message or "sku.name" in message, (rule, message)
