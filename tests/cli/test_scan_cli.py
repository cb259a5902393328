"""`regwarden scan` through its Typer command: options, formats, exit codes and messages on the real image.

The command runs inside a small Typer app with the root group's error handling (GuardedGroup), exactly how the
lead registers it in cli/app.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from regwarden.cli.errors import GuardedGroup
from regwarden.cli.scan_cmd import scan
from tests.cli.cli_support import Outcome, assert_clean_failure
from tests.support.images import ExpectedPackages, archive_path
from tests.vuln.scan_advisories import import_test_database


def _app() -> typer.Typer:
    app = typer.Typer(cls=GuardedGroup)

    @app.callback()
    def root() -> None:
        """Stand-in for the regwarden root group."""

    app.command("scan")(scan)
    return app


def run(args: Sequence[str]) -> Outcome:
    result = CliRunner().invoke(_app(), ["scan", *args], env={"REGWARDEN_DB": None}, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, expected_packages: ExpectedPackages) -> str:
    return import_test_database(tmp_path_factory.mktemp("advisories"), expected_packages)


@pytest.fixture
def image(test_images: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .regwarden-ignore.yaml from the developer's checkout
    return f"docker-archive:{archive_path(test_images, 'pyapp-1.1', 'docker')}"


def test_json_output_and_gate_failure_exit_1(image: str, database: str) -> None:
    outcome = run([image, "--db", database, "-o", "json", "--fail-on", "HIGH"])
    assert outcome.code == 1, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["gate"] == {"fail_on": "high", "failed": True}
    assert document["summary"]["critical"] == 2
    assert outcome.stderr == "regwarden: gate failed: 5 finding(s) at or above high\n"


def test_gate_passes_below_the_threshold_and_severity_filter_limits_what_counts(image: str, database: str) -> None:
    outcome = run([image, "--db", database, "--severity", "medium,low", "--fail-on", "high", "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    ids = {f["id"] for f in json.loads(outcome.stdout)["findings"]}
    assert ids == {"CVE-2023-32681", "CVE-2020-28168", "TEST-DEB-0004"}


def test_default_ignore_file_in_working_directory_is_used(image: str, database: str, tmp_path: Path) -> None:
    (tmp_path / ".regwarden-ignore.yaml").write_text(
        "ignore:\n  - id: TEST-DEB-0001\n    reason: no setuid in this container\n", encoding="utf-8"
    )
    outcome = run([image, "--db", database, "--fail-on", "critical", "-o", "table"])
    assert outcome.code == 0, outcome.stderr
    assert "suppressed: 2" in outcome.stdout
    assert "ignored: no setuid in this container" in outcome.stdout
    assert "gate passed: --fail-on critical" in outcome.stdout


def test_sarif_to_output_file(image: str, database: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / "scan.sarif"
    outcome = run([image, "--db", database, "-o", "sarif", "--output-file", str(target)])
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == ""
    assert outcome.stderr == f"wrote {target}\n"
    results = json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert len(results) == 8


def test_markdown_and_cyclonedx_render(image: str, database: str) -> None:
    markdown = run([image, "--db", database, "-o", "markdown", "--ignore-unfixed"])
    assert markdown.code == 0 and markdown.stdout.startswith("## ✅ regwarden vulnerability scan")
    assert "TEST-DEB-0004" not in markdown.stdout
    cyclonedx = run([image, "--db", database, "-o", "cyclonedx-json"])
    assert json.loads(cyclonedx.stdout)["specVersion"] == "1.6"


def test_stale_database_warns_on_stderr(image: str, database: str) -> None:
    outcome = run([image, "--db", database, "--max-db-age", "0", "-o", "json"])
    assert outcome.code == 0
    assert outcome.stderr.startswith("regwarden: warning: the vulnerability database is 0.0 days old")
    assert json.loads(outcome.stdout)["warnings"] == [outcome.stderr.removeprefix("regwarden: warning: ").strip()]


def test_empty_database_exits_8_and_says_how_to_fix(image: str, tmp_path: Path) -> None:
    outcome = run([image, "--db", str(tmp_path / "empty.db")])
    assert_clean_failure(outcome, 8, "is empty: run `regwarden db update`", "`regwarden db import PATH`")
    assert outcome.stdout == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fail-on", "severe"], "--fail-on: unknown severity 'severe'"),
        (["--severity", "high,urgent"], "--severity: unknown severity 'urgent'"),
        (["--ignore-file", "missing.yaml"], "cannot read ignore file missing.yaml"),
        (["--vex", "missing.json"], "cannot read OpenVEX file missing.json"),
    ],
)
def test_bad_input_exits_3(image: str, database: str, args: list[str], needle: str) -> None:
    assert_clean_failure(run([image, "--db", database, *args]), 3, needle)


def test_bad_ignore_file_in_working_directory_exits_3(image: str, database: str, tmp_path: Path) -> None:
    (tmp_path / ".regwarden-ignore.yaml").write_text("ignore:\n  - id: CVE-2019-11324\n", encoding="utf-8")
    assert_clean_failure(run([image, "--db", database]), 3, "entry 1: `reason` is required")
