"""`terraform show -json` (plan and state) → Registry.

plan-v3-module.tfplan.json: a plan (azurerm v3 names) creating `acrlegacy01` (root module, `count = 1`) and
`acrpayments01` with every related resource inside `module.acr`, so ids are unknown and children must be
linked through `configuration` references. state-v4.json: a state (azurerm v4 names) where every id is known.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from regwarden.collect.loader import load_registries
from regwarden.collect.terraform.plan import registries_from_terraform_json
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Status
from regwarden.model.registry import Registry, ValueSource
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES

DATA = Path(__file__).parent / "testdata" / "terraform"
PLAN = DATA / "plan-v3-module.tfplan.json"
STATE = DATA / "state-v4.json"
PAYMENTS = "module.acr.azurerm_container_registry.this"
CI_IDENTITY = "module.acr.azurerm_user_assigned_identity.ci.principal_id"


def load(path: Path) -> list[Registry]:
    return registries_from_terraform_json(json.loads(path.read_text()), str(path))


def by_name(registries: list[Registry]) -> dict[str, Registry]:
    return {r.name: r for r in registries}


def verdicts(registry: Registry, config: PostureConfig) -> dict[str, Status]:
    results = evaluate([registry], config, ALL_RULES, today=date(2026, 1, 15))
    return {r.rule.id: r.status for r in results}


def test_plan_finds_registries_in_root_and_child_modules() -> None:
    registries = load(PLAN)

    assert [(r.name, r.id) for r in registries] == [
        ("acrlegacy01", "azurerm_container_registry.legacy"),
        ("acrpayments01", PAYMENTS),
    ]
    assert {r.origin for r in registries} == {str(PLAN)}
    assert [r.name for r in load_registries([PLAN])] == ["acrlegacy01", "acrpayments01"]


def test_plan_values_carry_terraform_paths_and_provenance() -> None:
    payments = by_name(load(PLAN))["acrpayments01"]

    assert (payments.admin_user_enabled.value, payments.admin_user_enabled.source) == (
        False,
        ValueSource.EXPLICIT,
    )
    assert payments.admin_user_enabled.path == f"{PAYMENTS}.admin_enabled"
    # Not written in the configuration: the plan shows the provider default, and the evidence says so.
    assert (payments.network_rule_bypass.value, payments.network_rule_bypass.source) == (
        "AzureServices",
        ValueSource.DEFAULT,
    )
    assert payments.network_default_action.path == f"{PAYMENTS}.network_rule_set[0].default_action"
    assert payments.ip_rules.value == ("203.0.113.0/24",)
    assert (payments.retention_policy_status.value, payments.retention_days.value) == ("enabled", 14)
    assert payments.public_network_access.value == "Disabled"
    assert payments.export_policy_status.value == "disabled"
    assert payments.arm_audience_token_status.source is ValueSource.DEFAULT
    assert {(r.location.value, r.zone_redundancy.value) for r in payments.replications.value or ()} == {
        ("northeurope", "Enabled")
    }


def test_plan_links_children_through_configuration_references() -> None:
    legacy, payments = load(PLAN)

    token = (payments.tokens.value or ())[0]
    assert (token.name, str(token.scope_map_id.value).rsplit("/", 1)[-1]) == ("deploy", "app-pull")
    assert {(p.name, p.expiry.value) for p in token.passwords.value or ()} == {("password1", "2026-03-01T00:00:00Z")}
    assert {(a.principal_id, a.role_name, a.principal_type.value) for a in payments.role_assignments.value or ()} == {
        (CI_IDENTITY, "AcrPush", "ServicePrincipal"),
        ("0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", "AcrPull", "Group"),
    }
    assert {(w.name, w.service_uri.value) for w in payments.webhooks.value or ()} == {
        ("deployhook", "https://deploy.payments.example/hooks/acr")
    }
    connection = (payments.private_endpoint_connections.value or ())[0]
    assert (connection.status.value, connection.location) == ("Approved", "westeurope")
    # custom_dns_configs are unknown before apply: the documented DNS names stand in
    assert set(connection.dns_fqdns) == {
        "acrpayments01.azurecr.io",
        "acrpayments01.westeurope.data.azurecr.io",
        "acrpayments01.northeurope.data.azurecr.io",
    }
    setting = (payments.diagnostic_settings.value or ())[0]
    assert setting.workspace_id == "module.acr.azurerm_log_analytics_workspace.audit"
    assert {(w.id, w.retention_in_days.value) for w in payments.workspaces.value or ()} == {
        ("module.acr.azurerm_log_analytics_workspace.audit", 365)
    }
    assert {(lock.name, lock.level.value) for lock in payments.locks.value or ()} == {("no-delete", "CanNotDelete")}
    # The other registry shares the configuration but none of these children.
    assert [legacy.tokens.value, legacy.role_assignments.value, legacy.locks.value] == [(), (), ()]


def test_plan_rule_verdicts_for_both_registries() -> None:
    legacy, payments = load(PLAN)
    config = PostureConfig(ci_principal_ids=(CI_IDENTITY,))

    payments_verdicts = verdicts(payments, config)
    passing = {
        "RW-ACR-001",
        "RW-ACR-004",
        "RW-ACR-007",
        "RW-ACR-008",
        "RW-ACR-012",
        "RW-ACR-014",
        "RW-ACR-015",
    }
    passing |= {
        "RW-ACR-021",
        "RW-ACR-022",
        "RW-ACR-025",
        "RW-ACR-030",
        "RW-ACR-031",
        "RW-ACR-042",
        "RW-ACR-043",
    }
    assert {rule: payments_verdicts[rule] for rule in passing} == dict.fromkeys(passing, Status.PASS)
    assert verdicts(legacy, config)["RW-ACR-001"] is Status.FAIL


def test_state_reads_v4_names_and_links_by_literal_ids() -> None:
    (state,) = load(STATE)

    assert state.id.endswith("/registries/acrstate01")
    assert (state.subscription_id, state.resource_group) == (
        "3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c",
        "rg-state",
    )
    assert (state.retention_policy_status.value, state.retention_days.value) == ("enabled", 7)
    assert state.trust_policy_status.value == "disabled"
    assert (state.encryption_status.value, state.encryption_status.path) == (
        "enabled",
        "azurerm_container_registry.main.encryption[0].key_vault_key_id",
    )
    assert {(t.name, t.status.value) for t in state.tokens.value or ()} == {
        ("builder", "enabled"),
        ("reader", "disabled"),
    }
    # The state writes a never-expiring password's expiry as "": that is the DEFAULT (no expiry).
    password = (state.tokens.value or ())[0].passwords.value or ()
    assert [(p.expiry.value, p.expiry.source) for p in password] == [(None, ValueSource.DEFAULT)]
    # The assignment on rg-state covers the registry; the one on rg-other does not.
    assert {a.principal_id for a in state.role_assignments.value or ()} == {"6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c"}
    assert (state.tasks.source, state.tasks.reason) == (
        ValueSource.UNAVAILABLE,
        "not declared in this configuration",
    )


def test_state_rule_verdicts() -> None:
    (state,) = load(STATE)

    found = verdicts(state, PostureConfig())
    assert {r: found[r] for r in ("RW-ACR-004", "RW-ACR-007", "RW-ACR-008", "RW-ACR-013", "RW-ACR-050")} == {
        "RW-ACR-004": Status.FAIL,
        "RW-ACR-007": Status.FAIL,
        "RW-ACR-008": Status.FAIL,
        "RW-ACR-013": Status.FAIL,
        "RW-ACR-050": Status.FAIL,
    }
    assert {r: found[r] for r in ("RW-ACR-014", "RW-ACR-022", "RW-ACR-043")} == dict.fromkeys(
        ("RW-ACR-014", "RW-ACR-022", "RW-ACR-043"), Status.UNKNOWN
    )


def test_unknown_after_apply_is_unresolved_not_a_failure(tmp_path: Path) -> None:
    document = json.loads(PLAN.read_text())
    legacy_change = next(c for c in document["resource_changes"] if c["name"] == "legacy")
    legacy_change["change"]["after_unknown"]["admin_enabled"] = True
    del document["planned_values"]["root_module"]["resources"][1]["values"]["admin_enabled"]

    legacy = registries_from_terraform_json(document, "plan.json")[0]
    assert (legacy.admin_user_enabled.source, legacy.admin_user_enabled.reason) == (
        ValueSource.UNRESOLVED,
        "known only after apply",
    )
    assert verdicts(legacy, PostureConfig())["RW-ACR-001"] is Status.UNKNOWN


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format_version": "1.2"}, "without planned_values or values"),
        ({"format_version": "1.2", "values": {"root_module": []}}, "values.root_module is not an object"),
        (
            {"format_version": "1.2", "values": {"root_module": {"resources": [{"type": "x"}]}}},
            "lacks address/type",
        ),
    ],
)
def test_malformed_documents_are_bad_input(document: dict[str, object], message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        registries_from_terraform_json(document, "plan.json")
