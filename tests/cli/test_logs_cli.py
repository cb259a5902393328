"""`regwarden logs analyze | alert-rules` through the CLI: formats (SARIF checked against the official schema),
the --fail-on gate and exit codes, errors as one line, and alert rules written to a file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.cli.cli_support import assert_clean_failure, invoke, run_process

DATA = Path(__file__).parents[1] / "collect" / "azurelogs" / "testdata"
SARIF_SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"
LOGIN = str(DATA / "la-login.json")
ACTIVITY = str(DATA / "la-activity.json")


def db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'inventory.db'}"]


def test_analyze_gates_on_severity(tmp_path: Path) -> None:
    failed = invoke(["logs", "analyze", LOGIN, *db(tmp_path)])
    assert failed.code == 1 and "RW-LOG-001" in failed.stdout and "Admin account used" in failed.stdout
    assert invoke(["logs", "analyze", LOGIN, "--fail-on", "critical", "--no-record"]).code == 0
    assert invoke(["logs", "analyze", LOGIN, "--fail-on", "none", "--no-record"]).code == 0


def test_analyze_json_lists_findings_gaps_and_what_was_recorded(tmp_path: Path) -> None:
    outcome = invoke(["logs", "analyze", LOGIN, ACTIVITY, "-o", "json", "--fail-on", "none", *db(tmp_path)])
    document = json.loads(outcome.stdout)
    assert [f["detection"]["id"] for f in document["findings"]] == ["RW-LOG-001", "RW-LOG-008"]
    assert document["read"]["records"] == {
        "ContainerRegistryLoginEvents": 2,
        "ContainerRegistryRepositoryEvents": 0,
        "AzureActivity": 1,
    }
    assert document["recorded"] == {"new": 2, "updated": 0, "unchanged": 0, "events": 2}
    assert {g["detection"] for g in document["gaps"]} == {"RW-LOG-002"}  # too little history for a baseline
    assert document["findings"][0]["evidence"][0]["origin"] == f"{LOGIN}[0]"


def test_analyze_sarif_is_valid_and_points_at_the_evidence(tmp_path: Path) -> None:
    outcome = invoke(["logs", "analyze", LOGIN, "-o", "sarif", "--no-record", "--fail-on", "none"])
    document = json.loads(outcome.stdout)
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "RW-LOG-001" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == LOGIN


def test_analyze_markdown_for_a_ticket(tmp_path: Path) -> None:
    outcome = invoke(["logs", "analyze", LOGIN, "-o", "markdown", "--no-record", "--fail-on", "none"])
    assert outcome.stdout.startswith("## regwarden audit logs\n")
    assert "| high | RW-LOG-001 Admin account used |" in outcome.stdout
    assert "_not recorded (--no-record): no events were raised_" in outcome.stdout


def test_analyze_errors_are_one_line_with_their_exit_code(tmp_path: Path) -> None:
    missing = run_process(["logs", "analyze", str(tmp_path / "nope.json"), "--no-record"], tmp_path)
    assert_clean_failure(missing, 3, "no such file")
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    assert_clean_failure(run_process(["logs", "analyze", str(junk), "--no-record"], tmp_path), 8, "no usable")
    both = run_process(["logs", "analyze", LOGIN, "--workspace", "w", "--no-record"], tmp_path)
    assert_clean_failure(both, 3, "either log files or --workspace")
    bad_since = run_process(["logs", "analyze", LOGIN, "--since", "soon", "--no-record"], tmp_path)
    assert_clean_failure(bad_since, 3, "'soon' is not a duration")


def test_alert_rules_to_a_file_and_as_json(tmp_path: Path) -> None:
    target = tmp_path / "rules.json"
    outcome = invoke(["logs", "alert-rules", "-o", "arm", "--output-file", str(target), "--workspace-id", "/w"])
    assert outcome.code == 0 and "RW-LOG-004 not written" in outcome.stderr
    template = json.loads(target.read_text())
    assert template["parameters"]["workspaceId"]["defaultValue"] == "/w" and len(template["resources"]) == 11
    listed = json.loads(invoke(["logs", "alert-rules", "-o", "json"]).stdout)
    assert [rule["detection_id"] for rule in listed["rules"]][:2] == ["RW-LOG-001", "RW-LOG-002"]
    assert listed["not_written"][0]["detection"] == "RW-LOG-004"


def test_analyze_table_shows_evidence_from_an_absolute_path(tmp_path: Path) -> None:
    """Evidence names its file and line (`[/abs/path.jsonl:2]`): text, never read as a rich closing tag."""
    archive = tmp_path / "activity.jsonl"
    archive.write_bytes((Path(__file__).parents[2] / "samples" / "logs" / "activity.jsonl").read_bytes())
    outcome = invoke(["logs", "analyze", str(archive), "--no-record", "--fail-on", "none"])
    assert outcome.code == 0, outcome.stderr
    evidence_column = "".join(
        line.split("│")[5].strip() for line in outcome.stdout.splitlines() if line.count("│") == 6
    )  # the table folds the long path over several lines of its last column
    assert "RW-LOG-006" in outcome.stdout and f"[{archive}:1]" in evidence_column
