"""`regwarden audit acr` and `regwarden rules` through the real CLI, on the bundled sample exports."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regwarden.cli.app import app

REPO = Path(__file__).resolve().parents[2]
WEAK = REPO / "samples" / "acr" / "weak-registry.json"
HARDENED = REPO / "samples" / "acr" / "hardened-registry.json"
CONFIG = REPO / "samples" / "acr" / "posture.yaml"

runner = CliRunner()


def audit(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "acr", *args])
    return result.exit_code, result.stdout


def results_by_rule(output: str, registry: str) -> dict[str, str]:
    document = json.loads(output)
    return {r["rule"]: r["effectiveStatus"] for r in document["results"] if r["registry"]["name"] == registry}


def test_weak_registry_fails_the_default_gate_with_its_real_failures() -> None:
    code, output = audit("--from", str(WEAK), "-o", "json")
    assert code == 1
    statuses = results_by_rule(output, "shopacr")
    failed = {rule for rule, status in statuses.items() if status == "FAIL"}
    assert failed == {
        "RW-ACR-001",  # adminUserEnabled true
        "RW-ACR-003",  # ARM-audience tokens enabled
        "RW-ACR-004",  # a User holds AcrPush
        "RW-ACR-010",  # Basic SKU
        "RW-ACR-011",  # public network access Enabled
        "RW-ACR-012",  # default action Allow (service default)
        "RW-ACR-014",  # no private endpoint
        "RW-ACR-016",  # no data endpoints
        "RW-ACR-018",  # export enabled
        "RW-ACR-020",  # quarantine disabled
        "RW-ACR-021",  # retention disabled
        "RW-ACR-040",  # Basic: no geo-replicas possible
        "RW-ACR-042",  # zone redundancy disabled
        "RW-ACR-050",  # webhook over http://
    }
    # Data the export does not hold is UNKNOWN, never FAIL.
    assert statuses["RW-ACR-030"] == "UNKNOWN"
    assert statuses["RW-ACR-025"] == "UNKNOWN"


def test_hardened_registry_passes_with_the_environment_config() -> None:
    code, output = audit("--from", str(HARDENED), "--config", str(CONFIG), "-o", "json")
    statuses = results_by_rule(output, "platformacr")
    assert code == 0
    assert {rule for rule, status in statuses.items() if status == "FAIL"} == set()
    for rule in (
        "RW-ACR-001",
        "RW-ACR-004",
        "RW-ACR-011",
        "RW-ACR-014",
        "RW-ACR-015",
        "RW-ACR-022",
        "RW-ACR-025",
        "RW-ACR-030",
        "RW-ACR-031",
        "RW-ACR-040",
        "RW-ACR-041",
        "RW-ACR-043",
    ):
        assert statuses[rule] == "PASS", rule


def test_suppression_from_config_is_applied_and_reported() -> None:
    _, output = audit("--from", str(WEAK), "--config", str(CONFIG), "-o", "json")
    document = json.loads(output)
    premium = next(r for r in document["results"] if r["rule"] == "RW-ACR-010")
    assert premium["status"] == "FAIL"
    assert premium["effectiveStatus"] == "SUPPRESSED"
    assert premium["suppression"].startswith("suppressed until 2027-03-31")


@pytest.mark.parametrize(("fail_on", "expected"), [("critical", 1), ("none", 0), ("high", 1)])
def test_fail_on_threshold_sets_the_exit_code(fail_on: str, expected: int) -> None:
    code, _ = audit("--from", str(WEAK), "--fail-on", fail_on, "-o", "json")
    assert code == expected


def test_fail_on_only_counts_failures_at_or_above_the_threshold() -> None:
    # Only the low-severity zone-redundancy rule runs, and it fails: a `high` gate must not trip.
    code, output = audit("--from", str(WEAK), "--rule", "RW-ACR-042", "--fail-on", "high", "-o", "json")
    assert results_by_rule(output, "shopacr") == {"RW-ACR-042": "FAIL"}
    assert code == 0
    code, _ = audit("--from", str(WEAK), "--rule", "RW-ACR-042", "--fail-on", "low", "-o", "json")
    assert code == 1


def test_rule_selection_and_unknown_rule_ids() -> None:
    _, output = audit("--from", str(WEAK), "--rule", "RW-ACR-001", "--rule", "rw-acr-002", "-o", "json")
    assert set(results_by_rule(output, "shopacr")) == {"RW-ACR-001", "RW-ACR-002"}
    _, output = audit("--from", str(WEAK), "--skip-rule", "RW-ACR-001", "-o", "json", "--fail-on", "none")
    assert "RW-ACR-001" not in results_by_rule(output, "shopacr")
    code, _ = audit("--from", str(WEAK), "--rule", "RW-ACR-999")
    assert code == 3


def test_dev_profile_skips_production_only_rules() -> None:
    _, output = audit("--from", str(WEAK), "--profile", "dev", "-o", "json", "--fail-on", "none")
    statuses = results_by_rule(output, "shopacr")
    for rule in ("RW-ACR-010", "RW-ACR-011", "RW-ACR-014", "RW-ACR-040", "RW-ACR-043"):
        assert statuses[rule] == "SKIPPED", rule
    assert statuses["RW-ACR-001"] == "FAIL"


def test_bad_inputs_exit_with_distinct_codes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", ')
    assert audit("--from", str(broken))[0] == 3
    assert audit("--from", str(tmp_path / "missing.json"))[0] == 3
    assert audit()[0] == 3  # neither --from nor --subscription


def test_fix_script_dry_run_and_apply_call_az_exactly(tmp_path: Path) -> None:
    script = tmp_path / "fix.sh"
    code, _ = audit("--from", str(WEAK), "--fix-script", str(script), "-o", "json")
    assert code == 1
    subprocess.run(["bash", "-n", str(script)], check=True)
    dry = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=True)
    assert "would run: az acr update --name shopacr --admin-enabled false" in dry.stdout

    # With APPLY=1 the commands run: a recording `az` on PATH proves exactly which.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    fake_az = bin_dir / "az"
    fake_az.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    fake_az.chmod(fake_az.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "APPLY": "1", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=True)
    made = calls.read_text().splitlines()
    assert "acr update --name shopacr --admin-enabled false" in made
    assert "acr update --name shopacr --anonymous-pull-enabled false" not in made  # 002 passed
    # Commands with placeholders the finding cannot fill (e.g. <principal>) are never run.
    assert not any("<" in call for call in made)
    assert "needs values for:" in script.read_text()


def test_rules_list_and_show() -> None:
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0
    assert "RW-ACR-001" in listed.stdout and "RW-ACR-052" in listed.stdout
    shown = runner.invoke(app, ["rules", "show", "rw-acr-001"])
    assert shown.exit_code == 0
    assert "CKV_AZURE_137" in shown.stdout
    assert "az acr update --name <registry> --admin-enabled false" in shown.stdout
    assert runner.invoke(app, ["rules", "show", "RW-ACR-999"]).exit_code == 7


def test_module_entry_point_reports_errors_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = subprocess.run(
        [sys.executable, "-m", "regwarden", "audit", "acr", "--from", str(missing)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert result.stderr.strip() == f"regwarden: error: {missing}: no such file"
