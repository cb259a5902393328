"""Posture formats: SARIF validated against the official 2.1.0 schema, JUnit and Markdown checked by parsing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from regwarden.collect.loader import load_registries
from regwarden.model.finding import Status
from regwarden.posture.config import PostureConfig, Suppression
from regwarden.posture.engine import RuleResult, evaluate
from regwarden.report.posture_junit import render_posture_junit
from regwarden.report.posture_markdown import render_posture_markdown
from regwarden.report.posture_sarif import render_posture_sarif

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "acr"
SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def results() -> list[RuleResult]:
    registries = load_registries([SAMPLES / "weak-registry.json", SAMPLES / "hardened-registry.json"])
    config = PostureConfig(suppressions=(Suppression("RW-ACR-010", "moving to Premium", date(2099, 1, 1), "shopacr"),))
    return evaluate(registries, config, today=date(2026, 11, 27))


def test_sarif_validates_against_the_official_schema(results: list[RuleResult]) -> None:
    document = json.loads(render_posture_sarif(results))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(document, schema, cls=jsonschema.Draft7Validator)


def test_sarif_reports_failures_and_unknowns_only(results: list[RuleResult]) -> None:
    run = json.loads(render_posture_sarif(results))["runs"][0]
    expected = {(r.rule.id, r.registry_id) for r in results if r.status in (Status.FAIL, Status.UNKNOWN)}
    reported = {(r["ruleId"], r["properties"]["registryId"]) for r in run["results"]}
    assert reported == expected
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".json")


def test_sarif_levels_and_suppressions(results: list[RuleResult]) -> None:
    run = json.loads(render_posture_sarif(results))["runs"][0]
    by_key = {(r["ruleId"], r["message"]["text"].split(":")[0]): r for r in run["results"]}
    assert by_key[("RW-ACR-001", "shopacr")]["level"] == "error"  # critical
    assert by_key[("RW-ACR-042", "shopacr")]["level"] == "note"  # low
    unknown = next(r for r in run["results"] if r["properties"]["status"] == "UNKNOWN")
    assert unknown["level"] == "note"
    suppressed = by_key[("RW-ACR-010", "shopacr")]
    assert suppressed["suppressions"][0]["kind"] == "external"
    assert "moving to Premium" in suppressed["suppressions"][0]["justification"]
    severity = {r["id"]: r["properties"]["security-severity"] for r in run["tool"]["driver"]["rules"]}
    assert severity["RW-ACR-001"] == "9.5"


def test_junit_counts_match_the_results(results: list[RuleResult]) -> None:
    root = ET.fromstring(render_posture_junit(results))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"shopacr", "platformacr"}
    for name, suite in suites.items():
        mine = [r for r in results if r.registry_name == name]
        fails = [r for r in mine if r.status is Status.FAIL and not r.suppressed]
        assert int(suite.get("tests", "0")) == len(mine)
        assert int(suite.get("failures", "0")) == len(fails) == len(suite.findall("testcase/failure"))
        failed_rules = {case.get("name", "").split()[0] for case in suite if case.find("failure") is not None}
        assert failed_rules == {r.rule.id for r in fails}


def test_markdown_has_one_row_per_result(results: list[RuleResult]) -> None:
    text = render_posture_markdown(results).decode()
    rows = [line for line in text.splitlines() if line.startswith("| RW-ACR-")]
    assert len(rows) == len(results)
    assert any(row.startswith("| RW-ACR-010 |") and "SUPPRESSED" in row for row in rows)
    assert "## shopacr" in text and "## platformacr" in text
