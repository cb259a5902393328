"""The ARM / az adapter on real-shaped `az acr show` output, ARM list responses and nested children."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regwarden.collect.azure.resources import registries_from_resources
from regwarden.model.arm_id import scope_covers
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry, ValueSource

DATA = Path(__file__).parent / "data"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
REG = f"{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/contosoprod01"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def only(registries: list[Registry]) -> Registry:
    assert len(registries) == 1
    return registries[0]


def test_az_acr_show_flattened_output() -> None:
    registry = only(registries_from_resources([load("az_acr_show_basic.json")], "show.json"))
    assert (registry.name, registry.resource_group, registry.subscription_id) == (
        "contosobuild",
        "rg-build",
        "00000000-0000-0000-0000-000000000001",
    )
    assert registry.sku.value == "Basic"
    assert registry.admin_user_enabled.value is False
    assert registry.admin_user_enabled.source is ValueSource.EXPLICIT
    # az spells azureAdAuthenticationAsArmPolicy; keys match case-insensitively.
    assert registry.arm_audience_token_status.value == "enabled"
    assert registry.arm_audience_token_status.source is ValueSource.EXPLICIT
    assert registry.retention_days.value == 7
    # networkRuleSet is null on Basic: the service default applies and says so.
    assert (registry.network_default_action.value, registry.network_default_action.source) == (
        "Allow",
        ValueSource.DEFAULT,
    )
    assert registry.private_endpoint_connections.value == ()
    assert registry.private_endpoint_connections.source is ValueSource.EXPLICIT
    assert registry.role_assignments.source is ValueSource.UNAVAILABLE


def test_absent_properties_take_service_defaults() -> None:
    registry = only(
        registries_from_resources(
            [
                {
                    "name": "bare01",
                    "type": "Microsoft.ContainerRegistry/registries",
                    "location": "x",
                    "sku": {"name": "Premium"},
                }
            ],
            "bare.json",
        )
    )
    defaults = {
        "admin_user_enabled": False,
        "anonymous_pull_enabled": False,
        "arm_audience_token_status": "enabled",
        "public_network_access": "Enabled",
        "network_default_action": "Allow",
        "network_rule_bypass": "AzureServices",
        "data_endpoint_enabled": False,
        "export_policy_status": "enabled",
        "quarantine_policy_status": "disabled",
        "retention_policy_status": "disabled",
        "retention_days": 7,
        "trust_policy_status": "disabled",
        "encryption_status": "disabled",
        "zone_redundancy": "Disabled",
    }
    for field, expected in defaults.items():
        value = getattr(registry, field)
        assert (field, value.value, value.source) == (field, expected, ValueSource.DEFAULT)
    assert registry.id == "bare.json#bare01"


def test_list_response_matches_children_and_role_scopes() -> None:
    registries = registries_from_resources(load("arm_list_premium.json")["value"], "list.json")
    prod, dev = registries
    assert (prod.name, dev.name) == ("contosoprod01", "contosodev01")
    assert prod.admin_user_enabled.value is True  # "AdminUserEnabled" in "Properties"
    assert prod.public_network_access.value == "Disabled"
    assert prod.ip_rules.value == ("203.0.113.0/24",)
    assert [r.name for r in prod.replications.value or ()] == ["northeurope"]
    # Replications appear in the input, so a registry with none has an explicit empty tuple.
    assert (dev.replications.value, dev.replications.source) == ((), ValueSource.EXPLICIT)
    assert [(c.name, c.status.value) for c in prod.private_endpoint_connections.value or ()] == [("pe-weu", "Approved")]
    # The resource-group AcrPush (GUID in upper case) covers both; the registry-scoped AcrPull only dev.
    assert {(a.principal_id[:4], a.role_name) for a in prod.role_assignments.value or ()} == {("2222", "AcrPush")}
    assert {(a.principal_id[:4], a.role_name) for a in dev.role_assignments.value or ()} == {
        ("2222", "AcrPush"),
        ("3333", "AcrPull"),
    }
    assert prod.role_based_access_mode is not None and prod.role_based_access_mode.value == "AbacRepositoryPermissions"


def test_children_nested_under_the_registry_and_named_parent_child() -> None:
    registry_doc = {
        "name": "contosoprod01",
        "type": "Microsoft.ContainerRegistry/registries",
        "location": "westeurope",
        "sku": {"name": "Premium"},
        "replications": [{"name": "eastus", "location": "eastus", "properties": {"zoneRedundancy": "Enabled"}}],
        "tokens": {"value": []},
    }
    beside = {
        "name": "contosoprod01/weekly-purge",
        "type": "Microsoft.ContainerRegistry/registries/tasks",
        "properties": {
            "trigger": {"timerTriggers": [{"schedule": "0 1 * * Sun"}]},
            "step": {"cmd": "acr purge --ago 30d"},
        },
    }
    registry = only(registries_from_resources([beside, registry_doc], "nested.json"))
    assert [(r.name, r.location.value, r.zone_redundancy.value) for r in registry.replications.value or ()] == [
        ("eastus", "eastus", "Enabled")
    ]
    assert registry.tokens.value == ()
    tasks = registry.tasks.value or ()
    assert [(t.name, t.command.value, [x.kind for x in t.triggers]) for t in tasks] == [
        ("weekly-purge", "acr purge --ago 30d", ["timer"])
    ]


def test_unavailable_reason_overrides_collected_data() -> None:
    resources: list[dict[str, Any]] = [
        {
            "id": REG,
            "name": "contosoprod01",
            "type": "Microsoft.ContainerRegistry/registries",
            "location": "w",
        },
        {"type": "Microsoft.Authorization/roleAssignments", "properties": {"principalId": "p", "scope": REG}},
    ]
    reason = "403 Forbidden: AuthorizationFailed"
    registry = only(
        registries_from_resources(resources, "x.json", unavailable={"Microsoft.Authorization/roleAssignments": reason})
    )
    assert (registry.role_assignments.source, registry.role_assignments.reason) == (
        ValueSource.UNAVAILABLE,
        reason,
    )


def test_webhook_service_uri_is_unavailable_without_callback_config() -> None:
    hook = {
        "id": f"{REG}/webhooks/deploy",
        "name": "deploy",
        "type": "Microsoft.ContainerRegistry/registries/webhooks",
    }
    registry = only(
        registries_from_resources(
            [{"id": REG, "name": "contosoprod01", "type": "Microsoft.ContainerRegistry/registries"}, hook],
            "w.json",
        )
    )
    (webhook,) = registry.webhooks.value or ()
    assert webhook.service_uri.source is ValueSource.UNAVAILABLE
    assert "getCallbackConfig" in (webhook.service_uri.reason or "")


def test_invalid_base64_task_content_is_unresolved_not_an_error() -> None:
    task = {
        "id": f"{REG}/tasks/broken",
        "name": "broken",
        "type": "Microsoft.ContainerRegistry/registries/tasks",
        "properties": {"step": {"type": "EncodedTask", "encodedTaskContent": "%%% not base64"}},
    }
    registry = only(
        registries_from_resources(
            [{"id": REG, "name": "contosoprod01", "type": "Microsoft.ContainerRegistry/registries"}, task],
            "t",
        )
    )
    (parsed,) = registry.tasks.value or ()
    assert parsed.command.source is ValueSource.UNRESOLVED


def test_non_object_item_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="item 1 is not a JSON object"):
        registries_from_resources([{"type": "x"}, "oops"], "bad.json")  # type: ignore[list-item]


def test_input_without_registry_gives_no_registries() -> None:
    assert registries_from_resources([{"type": "Microsoft.Network/privateEndpoints", "name": "pe"}], "pe.json") == []


@pytest.mark.parametrize(
    ("scope", "registry_id", "covers"),
    [
        (REG, REG, True),
        (f"{SUB}/resourceGroups/rg-acr", REG, True),
        (f"{SUB}/resourceGroups/RG-ACR", REG, True),  # ARM ids compare case-insensitively
        (SUB, REG, True),
        ("/providers/Microsoft.Management/managementGroups/corp", REG, True),
        (f"{SUB}/resourceGroups/rg-acr2", REG, False),  # a prefix of the name, not of the path
        (f"{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/other", REG, False),
        ("Microsoft.ContainerRegistry/registries/contosoprod01", "t.json#contosoprod01", True),
        ("Microsoft.ContainerRegistry/registries/other", "t.json#contosoprod01", False),
        (f"{SUB}/resourceGroups/rg-acr", "t.json#contosoprod01", True),
    ],
)
def test_scope_inheritance(scope: str, registry_id: str, covers: bool) -> None:
    assert scope_covers(scope, registry_id, "contosoprod01") is covers


def test_arm_get_of_a_2021_premium_registry_reads_explicit_values() -> None:
    """Shape of a real ARM GET (api 2021-06-01-preview, as recorded by azure-cli's acr tests)."""
    registry = only(registries_from_resources([load("arm_get_premium_zone_redundant_2021.json")], "get.json"))
    assert (registry.name, registry.resource_group, registry.location.value, registry.sku.value) == (
        "contosozr01",
        "rg-zones",
        "eastus",
        "Premium",
    )
    explicit = {
        "zone_redundancy": "Enabled",
        "public_network_access": "Enabled",
        "network_default_action": "Allow",
        "export_policy_status": "enabled",
        "retention_days": 7,
        "anonymous_pull_enabled": False,
    }
    assert {f: (getattr(registry, f).value, getattr(registry, f).source) for f in explicit} == {
        f: (v, ValueSource.EXPLICIT) for f, v in explicit.items()
    }
    # The 2021 API had no azureADAuthenticationAsArmPolicy: the current service default (enabled) applies.
    assert (registry.arm_audience_token_status.value, registry.arm_audience_token_status.source) == (
        "enabled",
        ValueSource.DEFAULT,
    )
    assert registry.ip_rules.value == ()


def test_classic_2017_registry_with_storage_account_takes_defaults() -> None:
    registry = only(registries_from_resources([load("arm_get_classic_2017.json")], "classic.json"))
    assert (registry.sku.value, registry.location.value) == ("Classic", "West US")
    assert (registry.admin_user_enabled.value, registry.admin_user_enabled.source) == (
        False,
        ValueSource.EXPLICIT,
    )
    assert {
        (f, getattr(registry, f).source)
        for f in ("public_network_access", "quarantine_policy_status", "zone_redundancy")
    } == {
        ("public_network_access", ValueSource.DEFAULT),
        ("quarantine_policy_status", ValueSource.DEFAULT),
        ("zone_redundancy", ValueSource.DEFAULT),
    }


def test_az_acr_show_with_az_replication_list_beside_it() -> None:
    registry = only(registries_from_resources(load("az_acr_show_and_replication_list.json"), "az.json"))
    assert registry.ip_rules.value == ("203.0.113.0/24",)  # az spells the range ipAddressOrRange
    assert (registry.arm_audience_token_status.value, registry.retention_days.value) == ("disabled", 14)
    # Flattened replication objects (no properties wrapper) attach by id and keep their own values.
    assert [
        (
            r.name,
            r.location.value,
            r.zone_redundancy.value,
            r.region_endpoint_enabled and r.region_endpoint_enabled.value,
        )
        for r in registry.replications.value or ()
    ] == [
        ("westeurope", "westeurope", "Enabled", True),
        ("swedencentral", "swedencentral", "Disabled", False),
    ]


def test_psrule_export_children_usages_and_extension_resources() -> None:
    """Az PowerShell / PSRule export: PascalCase keys, children under `resources`, a listUsages wrapper,
    and an assessment typed as the registry it extends with its own type in ExtensionResourceType."""
    exported, bare = registries_from_resources(load("psrule_export_two_registries.json"), "export.json")
    assert (exported.name, bare.name) == ("contosoexport01", "contosoexport02")  # no phantom registry
    assert (exported.sku.value, exported.location.value, exported.zone_redundancy.value) == (
        "Premium",
        "westeurope",
        "Enabled",
    )
    assert [r.location.value for r in exported.replications.value or ()] == ["swedencentral", "westeurope"]
    assert {(u.name, u.current.value, u.limit.value) for u in exported.usages.value or ()} == {
        ("Size", 268435456000.0, 536870912000.0),
        ("Webhooks", 0.0, 500.0),
    }
    assert [a.status.value for a in exported.assessments.value or ()] == ["Unhealthy"]
    # Types seen anywhere in the export are complete: the bare registry has none of them.
    assert (bare.replications.value, bare.usages.value, bare.assessments.value) == ((), (), ())
    assert bare.admin_user_enabled.value is True


def test_defender_plan_is_the_containers_pricing_of_the_registrys_own_subscription() -> None:
    other = "/subscriptions/00000000-0000-0000-0000-000000000002"

    def registry(subscription: str, name: str) -> dict[str, Any]:
        resource_id = f"{subscription}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/{name}"
        return {"id": resource_id, "name": name, "type": "Microsoft.ContainerRegistry/registries"}

    def pricing(subscription: str, name: str, tier: str) -> dict[str, Any]:
        return {
            "id": f"{subscription}/providers/Microsoft.Security/pricings/{name}",
            "name": name,
            "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": tier},
        }

    resources = [
        registry(SUB, "home01"),
        registry(other, "away01"),
        registry("", "bare01"),  # an id without a subscription sees any Containers plan
        pricing(other, "VirtualMachines", "Standard"),
        pricing(other, "containers", "Standard"),
    ]
    plans = {r.name: r.defender.value for r in registries_from_resources(resources, "mixed.json")}
    tiers = {name: (plan.pricing_tier.value, plan.pricing_tier.source) for name, plan in plans.items() if plan}
    assert tiers == {
        "home01": ("Free", ValueSource.DEFAULT),
        "away01": ("Standard", ValueSource.EXPLICIT),
        "bare01": ("Standard", ValueSource.EXPLICIT),
    }


@pytest.mark.parametrize(
    ("sku", "source", "reason"),
    [
        ({"name": "Premium"}, ValueSource.EXPLICIT, None),
        (None, ValueSource.UNAVAILABLE, "sku.name not in the input"),
        ([], ValueSource.UNRESOLVED, "malformed SKU: expected an object with a name, got []"),
        (3, ValueSource.UNRESOLVED, "malformed SKU: expected an object with a name, got 3"),
        ("Premium", ValueSource.UNRESOLVED, "malformed SKU: expected an object with a name, got 'Premium'"),
        (
            {"tier": "Premium"},
            ValueSource.UNRESOLVED,
            "malformed SKU: expected an object with a name, got {'tier': 'Premium'}",
        ),
        ({"name": []}, ValueSource.UNRESOLVED, "expected a SKU name, got []"),
        ({"name": ""}, ValueSource.UNRESOLVED, "malformed SKU: the name is empty"),
        ("[parameters('sku')]", ValueSource.UNRESOLVED, "unresolved ARM expression: [parameters('sku')]"),
    ],
)
def test_a_sku_of_the_wrong_shape_is_unresolved_with_what_it_is(sku: Any, source: ValueSource, reason: str) -> None:
    body = {"name": "shapes01", "type": "Microsoft.ContainerRegistry/registries", "location": "westeurope"}
    registry = only(registries_from_resources([{**body, "sku": sku}], "sku.json"))
    assert (registry.sku.source, registry.sku.reason) == (source, reason)
