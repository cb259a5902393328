"""`dynamic` blocks in `.tf` source: expanded when `for_each` is known statically, UNRESOLVED (with why) when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.collect.terraform.hcl import registries_from_terraform_source
from regwarden.model.registry import Registry, ValueSource

REGISTRY = """
resource "azurerm_container_registry" "acr" {{
  name                = "contosoprod01"
  resource_group_name = "rg-registry"
  location            = "westeurope"
  sku                 = "Premium"
{body}
}}
"""


def load(tmp_path: Path, body: str, preamble: str = "", tfvars: str | None = None) -> Registry:
    (tmp_path / "main.tf").write_text(preamble + REGISTRY.format(body=body), encoding="utf-8")
    if tfvars is not None:
        (tmp_path / "terraform.tfvars").write_text(tfvars, encoding="utf-8")
    (registry,) = registries_from_terraform_source(tmp_path)
    return registry


def replicas(registry: Registry) -> list[tuple[str | None, str | None]]:
    return [(r.location.value, r.zone_redundancy.value) for r in registry.replications.value or ()]


DYNAMIC = """
  dynamic "georeplications" {{
    for_each = {for_each}
    {iterator}
    content {{
      location = {location}
    }}
  }}
"""


@pytest.mark.parametrize(
    ("for_each", "iterator", "location", "expected"),
    [
        ('["northeurope", "eastus"]', "", "georeplications.value", ["northeurope", "eastus"]),
        ('{ dr = "northeurope" }', "", "georeplications.value", ["northeurope"]),
        ('{ northeurope = "dr" }', "", "georeplications.key", ["northeurope"]),
        ('toset(["eastus", "eastus", "uksouth"])', "", "georeplications.key", ["eastus", "uksouth"]),
        ('[{ region = "swedencentral" }]', "iterator = replica", 'replica.value["region"]', ["swedencentral"]),
        ("[]", "", "georeplications.value", []),
    ],
)
def test_literal_for_each_expands_one_block_per_element(
    tmp_path: Path, for_each: str, iterator: str, location: str, expected: list[str]
) -> None:
    body = DYNAMIC.format(for_each=for_each, iterator=iterator, location=location)
    registry = load(tmp_path, body)

    assert [location for location, _ in replicas(registry)] == expected
    assert registry.replications.source is ValueSource.EXPLICIT


def test_locals_variable_defaults_and_tfvars_are_known(tmp_path: Path) -> None:
    preamble = """
locals {
  zones = { northeurope = true }
}
variable "regions" {
  default = ["northeurope"]
}
variable "extra" {
  default = []
}
"""
    body = """
  dynamic "georeplications" {
    for_each = var.regions
    content {
      location                = georeplications.value
      zone_redundancy_enabled = local.zones[georeplications.value]
    }
  }
  dynamic "georeplications" {
    for_each = var.extra
    content {
      location = georeplications.value
    }
  }
"""
    registry = load(tmp_path, body, preamble, tfvars='extra = ["uksouth"]\n')

    # A local indexed by the iterator is not evaluated (an index expression): that value alone is unresolved.
    assert [r.location.value for r in registry.replications.value or ()] == ["northeurope", "uksouth"]
    first = (registry.replications.value or ())[0]
    assert first.zone_redundancy.source is ValueSource.UNRESOLVED


def test_written_blocks_come_before_the_dynamic_ones(tmp_path: Path) -> None:
    body = """
  georeplications {
    location                = "eastus"
    zone_redundancy_enabled = true
  }
  dynamic "georeplications" {
    for_each = ["northeurope"]
    content {
      location = georeplications.value
    }
  }
"""
    assert replicas(load(tmp_path, body)) == [("eastus", "Enabled"), ("northeurope", "Disabled")]


@pytest.mark.parametrize(
    ("for_each", "reason"),
    [
        ("var.replications", "var.replications is not declared"),
        ("azurerm_resource_group.rg.tags", "azurerm_resource_group.rg.tags is known only after apply"),
        ("setunion(local.a, local.b)", "expression not evaluated: setunion(local.a, local.b)"),
        ('"northeurope"', "for_each is 'northeurope', not a list, set or map"),
    ],
)
def test_for_each_not_known_statically_leaves_the_blocks_unresolved(tmp_path: Path, for_each: str, reason: str) -> None:
    body = DYNAMIC.format(for_each=for_each, iterator="", location="georeplications.value")
    registry = load(tmp_path, body)

    assert (registry.replications.source, registry.replications.reason) == (
        ValueSource.UNRESOLVED,
        f"dynamic block georeplications: for_each is not known statically ({reason})",
    )
