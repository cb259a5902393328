"""`regwarden rules list|show`, as a table or text for people and as JSON for scripts; and the house rule that
every command printing a table or report also speaks `-o json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_type_hints

import typer
from typer.testing import CliRunner

from regwarden.cli.app import app
from regwarden.model.errors import ExitCode
from regwarden.posture.rules import ALL_RULES
from tests.cli.cli_support import assert_clean_failure, invoke, invoke_json, run_process

RULE_KEYS = ["id", "slug", "title", "severity", "category", "profiles", "rationale", "remediation", "references"]

ADMIN_USER_RULE = {
    "id": "RW-ACR-001",
    "slug": "admin-user-disabled",
    "title": "Admin user disabled",
    "severity": "critical",
    "category": "access",
    "profiles": ["dev", "production", "regulated"],
    "rationale": (
        "The admin account is one shared credential with push, pull and delete on every repository; its use "
        "cannot be attributed to a person or pipeline. Absent means disabled (service default), as all "
        "anchors agree."
    ),
    "remediation": {
        "az": "az acr update --name <registry> --admin-enabled false",
        "bicep": "properties: { adminUserEnabled: false }",
        "terraform": "admin_enabled = false",
    },
    "references": [
        {"anchor": "PSRule", "id": "Azure.ACR.AdminUser"},
        {"anchor": "Checkov", "id": "CKV_AZURE_137"},
        {"anchor": "Prowler", "id": "containerregistry_admin_user_disabled"},
        {"anchor": "Azure Policy", "id": "dc921057"},
        {"anchor": "MCSB", "id": "IM-1"},
        {"anchor": "azqr", "id": "cr-008"},
    ],
}


def test_rules_list_json_has_every_rule_in_full_in_catalogue_order() -> None:
    document = invoke_json(["rules", "list"])
    assert list(document) == ["rules"]
    assert [rule["id"] for rule in document["rules"]] == [rule.meta.id for rule in ALL_RULES]
    assert len(document["rules"]) == 35
    assert {tuple(rule) for rule in document["rules"]} == {tuple(RULE_KEYS)}
    assert document["rules"][0] == ADMIN_USER_RULE


def test_rules_list_json_profiles_and_severities_are_plain_values() -> None:
    rules = {rule["id"]: rule for rule in invoke_json(["rules", "list"])["rules"]}
    assert {rule["severity"] for rule in rules.values()} <= {"critical", "high", "medium", "low", "info"}
    assert {p for rule in rules.values() for p in rule["profiles"]} == {"dev", "production", "regulated"}
    assert rules["RW-ACR-001"]["profiles"] == ["dev", "production", "regulated"]


def test_rules_show_json_is_the_same_document_as_in_the_list() -> None:
    assert invoke_json(["rules", "show", "rw-acr-001"]) == ADMIN_USER_RULE
    listed = {rule["id"]: rule for rule in invoke_json(["rules", "list"])["rules"]}
    assert invoke_json(["rules", "show", "RW-ACR-004"]) == listed["RW-ACR-004"]


def test_rules_show_json_output_is_indented_with_a_final_newline() -> None:
    outcome = invoke(["rules", "show", "RW-ACR-001", "-o", "json"])
    assert outcome.stdout == json.dumps(ADMIN_USER_RULE, indent=2) + "\n"


def test_rules_table_and_text_stay_the_defaults() -> None:
    listed = invoke(["rules", "list"])
    assert listed.code == 0
    header = listed.stdout.splitlines()[1].replace("┃", " ").split()
    assert header == ["Id", "Severity", "Category", "Profiles", "Title", "Anchors"]
    shown = invoke(["rules", "show", "RW-ACR-001"])
    assert shown.stdout.splitlines()[0] == "RW-ACR-001  Admin user disabled"


def test_unknown_rule_is_not_found_in_json_too(tmp_path: Path) -> None:
    outcome = run_process(["rules", "show", "RW-ACR-999", "-o", "json"], tmp_path)
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "no rule 'RW-ACR-999'")
    assert outcome.stdout == ""


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["rules", "list", "-o", "yaml"])
    assert result.exit_code == ExitCode.USAGE
    assert "'yaml'" in result.output and "Usage: regwarden rules list" in result.output


def _leaf_commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """Leaf commands by their full name (typer bundles its own click, so groups are told by `.commands`); the root
    builds each command when asked for it, so every entry of its table is built (and must import) here."""
    leaves: dict[str, Any] = {}
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if hasattr(command, "commands"):
            leaves |= _leaf_commands(command, (*prefix, name))
        else:
            leaves[" ".join((*prefix, name))] = command
    return leaves


NO_RESULT_TO_PRINT = {
    "watch": "a long-running loop that logs each round; it has no result to render",
    "triage export": "its only output is an OpenVEX document, which is JSON",
    "quarantine serve": "a long-running webhook server that logs each check; it has no result to render",
    "serve quarantine": "the same webhook server as `quarantine serve`; it has no result to render",
    "serve admission": "the admission webhook server; each decision is a JSON log line, there is no result to render",
    "serve-admission": "the former spelling of `serve admission`, kept hidden for manifests that still use it",
    "worker": "a long-running Celery worker that logs each job; `jobs` renders what it did",
    "beat": "a long-running schedule that logs what it sends; it has no result to render",
}


def test_every_command_that_prints_a_result_has_json_output() -> None:
    commands = _leaf_commands(typer.main.get_group(app))
    assert {"inspect", "sbom", "scan", "audit acr", "rules list", "rules show", "db status"} <= set(commands)
    without_json = []
    for name, command in commands.items():
        output = next((p for p in command.params if "--output" in p.opts), None)
        # The option's choices are the members of the enum its parameter is annotated with.
        choices = get_type_hints(command.callback).get(output.name) if output is not None else None
        if output is None or "-o" not in output.opts or "json" not in {m.value for m in choices or ()}:
            without_json.append(name)
    assert sorted(without_json) == sorted(NO_RESULT_TO_PRINT)
