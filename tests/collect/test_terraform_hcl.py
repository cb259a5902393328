"""Terraform source (`.tf`) → Registry, through python-hcl2.

testdata/terraform/hcl is one configuration over four files: variables with and without defaults, a
terraform.tfvars overriding some, locals and string interpolation in the registry name, a dynamic block, a
`count = 0` registry, and children linked by reference.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from regwarden.collect.loader import load_registries
from regwarden.collect.terraform.common import Unknown
from regwarden.collect.terraform.expressions import Evaluator
from regwarden.collect.terraform.hcl import registries_from_terraform_source
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Status
from regwarden.model.registry import Registry, ValueSource
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES

DATA = Path(__file__).parent / "testdata" / "terraform"
SOURCE = DATA / "hcl"
SHOP = "azurerm_container_registry.shop"


@pytest.fixture(scope="module")
def shop() -> Registry:
    (registry,) = registries_from_terraform_source(SOURCE)
    return registry


def test_directory_yields_only_created_registries(shop: Registry) -> None:
    # `scratch` has count = 0; the name comes from locals and a tfvars-overridden variable.
    assert (shop.name, shop.id, shop.resource_group) == ("acrshopprod01", SHOP, "rg-shop-prod")
    assert [r.name for r in load_registries([SOURCE])] == ["acrshopprod01"]


def test_origin_is_the_declaring_file(shop: Registry) -> None:
    assert shop.origin == str(SOURCE / "main.tf")
    assert shop.admin_user_enabled.origin == str(SOURCE / "main.tf")
    webhook = (shop.webhooks.value or ())[0]
    assert webhook.service_uri.origin == str(SOURCE / "access.tf")


def test_variables_resolve_from_tfvars_then_defaults(shop: Registry) -> None:
    assert (shop.admin_user_enabled.value, shop.admin_user_enabled.source) == (False, ValueSource.EXPLICIT)
    assert shop.sku.value == "Standard"  # the variable default
    assert (shop.location.value, shop.location.source) == (
        "westeurope",
        ValueSource.EXPLICIT,
    )  # via the group


def test_unresolvable_expressions_are_unresolved_with_the_reason(shop: Registry) -> None:
    unresolved = {
        field: (value.source, value.reason, value.path)
        for field, value in (
            ("quarantine_policy_status", shop.quarantine_policy_status),
            ("export_policy_status", shop.export_policy_status),
        )
    }
    assert unresolved == {
        "quarantine_policy_status": (
            ValueSource.UNRESOLVED,
            "var.quarantine has no default and no tfvars value",
            f"{SHOP}.quarantine_policy_enabled",
        ),
        "export_policy_status": (
            ValueSource.UNRESOLVED,
            "expression not evaluated: length(var.replica_regions) > 0",
            f"{SHOP}.export_policy_enabled",
        ),
    }


def test_a_dynamic_block_over_a_variable_default_is_expanded(shop: Registry) -> None:
    # `dynamic "georeplications" { for_each = var.replica_regions }`, whose default is []: no replica at all.
    assert (shop.replications.value, shop.replications.source) == ((), ValueSource.EXPLICIT)


def test_absent_attributes_take_the_provider_default(shop: Registry) -> None:
    defaults = {
        (name, value.value)
        for name, value in (
            ("anonymous_pull_enabled", shop.anonymous_pull_enabled),
            ("zone_redundancy", shop.zone_redundancy),
            ("trust_policy_status", shop.trust_policy_status),
            ("encryption_status", shop.encryption_status),
            ("network_default_action", shop.network_default_action),
        )
        if value.source is ValueSource.DEFAULT
    }
    assert defaults == {
        ("anonymous_pull_enabled", False),
        ("zone_redundancy", "Disabled"),
        ("trust_policy_status", "disabled"),
        ("encryption_status", "disabled"),
        ("network_default_action", "Allow"),
    }
    assert (shop.retention_policy_status.value, shop.retention_days.value) == ("enabled", 14)


def test_children_are_linked_by_reference(shop: Registry) -> None:
    token = (shop.tokens.value or ())[0]
    assert (token.name, token.scope_map_id.value) == (
        "pipeline",
        f"{SHOP}.id/scopeMaps/_repositories_push",
    )
    assert {(a.principal_id, a.role_name, a.scope) for a in shop.role_assignments.value or ()} == {
        ("aa11bb22-cc33-4d44-8e55-ff6677889900", "AcrPush", "azurerm_resource_group.acr.id")
    }
    assert {w.service_uri.value for w in shop.webhooks.value or ()} == {
        "https://deploy.prod.shop.example/acr?token=aa11bb22-cc33-4d44-8e55-ff6677889900"
    }
    task = (shop.tasks.value or ())[0]
    assert [(t.kind, t.schedule) for t in task.triggers] == [("timer", "0 2 * * *")]
    assert "acr purge --filter 'shop:.*'" in str(task.command.value)


def test_rule_verdicts(shop: Registry) -> None:
    config = PostureConfig(ci_principal_ids=("aa11bb22-cc33-4d44-8e55-ff6677889900",))
    found = {r.rule.id: r.status for r in evaluate([shop], config, ALL_RULES, today=date(2026, 1, 15))}
    expected = {
        "RW-ACR-001": Status.PASS,
        "RW-ACR-004": Status.PASS,
        "RW-ACR-010": Status.FAIL,
        "RW-ACR-011": Status.PASS,
        "RW-ACR-018": Status.UNKNOWN,
        "RW-ACR-020": Status.UNKNOWN,
        "RW-ACR-022": Status.PASS,
        "RW-ACR-040": Status.FAIL,  # Standard, and the dynamic replica list is empty
        "RW-ACR-050": Status.PASS,
    }
    assert {rule: found[rule] for rule in expected} == expected


def test_single_file_and_its_folder_tfvars(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((SOURCE / "main.tf").read_text())
    (tmp_path / "stage.auto.tfvars").write_text('environment = "qa"\n')

    (registry,) = registries_from_terraform_source(tmp_path / "main.tf")
    assert registry.origin == str(tmp_path / "main.tf")
    # Only main.tf is parsed: var.admin_enabled (declared in a sibling) is unknown; tfvars still apply.
    assert registry.name == "acrshopqa01"
    assert (registry.admin_user_enabled.source, registry.admin_user_enabled.reason) == (
        ValueSource.UNRESOLVED,
        "var.admin_enabled is not declared",
    )


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(BadInputError, match=r"bad-hcl/main\.tf:3:\d+: HCL syntax error"):
        registries_from_terraform_source(DATA / "bad-hcl")


def test_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no \.tf files"):
        registries_from_terraform_source(tmp_path)
    with pytest.raises(BadInputError, match="no such file"):
        registries_from_terraform_source(tmp_path / "absent.tf")


RESOURCES = {"azurerm_container_registry.acr": {"name": '"acrexample01"', "sku": "${var.sku}"}}


@pytest.mark.parametrize(
    ("source", "expected", "references"),
    [
        ('"plain"', "plain", set()),
        ("true", True, set()),
        ("42", 42, set()),
        ('"acr-${var.env}"', "acr-prod", set()),
        ('"$${not.interpolated}"', "${not.interpolated}", set()),
        ('"tab\\tquote\\""', 'tab\tquote"', set()),
        ('var.flags["admin"]', False, set()),
        ("local.prefix", "acrprod", set()),
        ("[1, var.env]", [1, "prod"], set()),
        ("azurerm_container_registry.acr.name", "acrexample01", {"azurerm_container_registry.acr"}),
        (
            "azurerm_container_registry.acr.id",
            Unknown("azurerm_container_registry.acr.id is known only after apply"),
            {"azurerm_container_registry.acr"},
        ),
        (
            '"${azurerm_container_registry.acr.id}/scopeMaps/_repositories_pull"',
            Unknown("azurerm_container_registry.acr.id is known only after apply", "/scopeMaps/_repositories_pull"),
            {"azurerm_container_registry.acr"},
        ),
        ('var.env == "prod" ? 1 : 0', Unknown('expression not evaluated: var.env == "prod" ? 1 : 0'), set()),
        ("upper(var.env)", Unknown("expression not evaluated: upper(var.env)"), set()),
        ("var.missing", Unknown("var.missing is not declared"), set()),
        ("local.loop", Unknown("local.loop refers to itself"), set()),
    ],
)
def test_expression_evaluation(source: str, expected: object, references: set[str]) -> None:
    raw = hcl2.loads(f"value = {source}\n", serialization_options=SerializationOptions(with_comments=False))["value"]
    variables = {"env": "prod", "flags": {"admin": False}}
    locals_ = {"prefix": '"acr${var.env}"', "loop": "${local.loop}"}
    evaluator = Evaluator(variables, locals_, RESOURCES)
    found: set[str] = set()

    assert evaluator.resolve(raw, found) == expected
    assert found == references
