"""The engine: one result per registry and rule, profile skipping, and suppressions with expiry."""

from __future__ import annotations

from datetime import date

from regwarden.collect.azure.resources import registries_from_resources
from regwarden.model.finding import Status
from regwarden.model.registry import Registry
from regwarden.posture.config import PostureConfig, Profile, Suppression
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES, admin_user_disabled, premium_sku

TODAY = date(2026, 1, 15)
DEV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosodev01"


def registries() -> list[Registry]:
    return registries_from_resources(
        [
            {
                "name": "contosoprod01",
                "type": "Microsoft.ContainerRegistry/registries",
                "sku": {"name": "Premium"},
            },
            {
                "id": DEV_ID,
                "name": "contosodev01",
                "type": "Microsoft.ContainerRegistry/registries",
                "sku": {"name": "Standard"},
                "properties": {"adminUserEnabled": True},
            },
        ],
        "engine.json",
    )


RULES = [admin_user_disabled.RULE, premium_sku.RULE]


def statuses(config: PostureConfig) -> list[tuple[str, str, Status]]:
    return [(r.registry_name, r.rule.id, r.status) for r in evaluate(registries(), config, RULES, today=TODAY)]


def test_one_result_per_registry_and_rule_in_order() -> None:
    assert statuses(PostureConfig()) == [
        ("contosoprod01", "RW-ACR-001", Status.PASS),
        ("contosoprod01", "RW-ACR-010", Status.PASS),
        ("contosodev01", "RW-ACR-001", Status.FAIL),
        ("contosodev01", "RW-ACR-010", Status.FAIL),
    ]


def test_dev_profile_skips_prod_rules_with_a_reason() -> None:
    results = evaluate(registries(), PostureConfig(profile=Profile.DEV), RULES, today=TODAY)
    skipped = [(r.registry_name, r.message) for r in results if r.status is Status.SKIPPED]
    assert skipped == [
        ("contosoprod01", "profile dev excludes this rule (applies in: production, regulated)"),
        ("contosodev01", "profile dev excludes this rule (applies in: production, regulated)"),
    ]


def test_evidence_carries_path_value_source_and_origin() -> None:
    (result,) = [r for r in evaluate(registries(), PostureConfig(), RULES, today=TODAY) if r.status is Status.FAIL][:1]
    (evidence,) = result.evidence
    assert (evidence.path, evidence.value, evidence.source.value, evidence.origin) == (
        "properties.adminUserEnabled",
        True,
        "explicit",
        "engine.json",
    )


def test_active_suppression_for_one_registry() -> None:
    suppression = Suppression("RW-ACR-010", "Standard until the Q3 migration", date(2026, 9, 30), "CONTOSODEV01")
    results = evaluate(registries(), PostureConfig(suppressions=(suppression,)), RULES, today=TODAY)
    marked = [
        (r.registry_name, r.rule.id, r.status, r.suppressed, r.suppression_note) for r in results if r.suppression
    ]
    assert marked == [
        (
            "contosodev01",
            "RW-ACR-010",
            Status.FAIL,
            True,
            "suppressed until 2026-09-30: Standard until the Q3 migration",
        )
    ]


def test_expired_suppression_no_longer_suppresses_and_says_so() -> None:
    suppression = Suppression("RW-ACR-001", "temporary", date(2025, 12, 31))
    results = evaluate(registries(), PostureConfig(suppressions=(suppression,)), RULES, today=TODAY)
    (expired,) = [r for r in results if r.suppression is not None]
    assert (expired.registry_name, expired.suppressed) == ("contosodev01", False)
    assert expired.suppression_note == "suppression expired on 2025-12-31 (temporary); no longer suppressed"


def test_suppression_by_registry_id_and_passing_results_untouched() -> None:
    dev_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/contosodev01"
    suppression = Suppression("RW-ACR-001", "break-glass", date(2026, 2, 1), dev_id)
    results = evaluate(registries(), PostureConfig(suppressions=(suppression,)), RULES, today=TODAY)
    assert [(r.registry_name, r.rule.id) for r in results if r.suppressed] == [("contosodev01", "RW-ACR-001")]


def test_default_rules_are_all_rules() -> None:
    results = evaluate(registries()[:1], PostureConfig(), today=TODAY)
    assert [r.rule.id for r in results] == [r.meta.id for r in ALL_RULES]
    assert all(r.message for r in results)
