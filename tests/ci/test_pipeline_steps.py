"""The GitHub Action's and the Azure Pipelines template's script steps, run with bash on the real test image.

The advisory database is imported by the files' own `db import` step from OSV records written for packages really
in the image (tests/vuln/scan_advisories.py); exit codes, SARIF, Markdown and the gate are checked per step.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from regwarden import __version__
from tests.ci.pipeline_runner import StepRun, azure_steps, resolve_azure, run_action, run_azure_template, runner_env
from tests.support.images import ExpectedPackages, archive_path
from tests.vuln.scan_advisories import write_advisories

SARIF_SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"
PYAPP_11_RESULTS = 8  # see tests/vuln/test_scan_end_to_end.py for the exact findings


@pytest.fixture(scope="module")
def osv_dir(tmp_path_factory: pytest.TempPathFactory, expected_packages: ExpectedPackages) -> Path:
    return write_advisories(tmp_path_factory.mktemp("osv") / "osv", expected_packages)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return runner_env(tmp_path / "home")


def _image(test_images: Path, ref: str) -> str:
    return f"docker-archive:{archive_path(test_images, ref, 'docker')}"


def _codes(runs: list[StepRun]) -> dict[str, int]:
    return {run.name: run.code for run in runs}


def _sarif_results(path: Path) -> list[dict[str, object]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(document)) == []
    results: list[dict[str, object]] = document["runs"][0]["results"]
    return results


def test_action_imports_scans_uploads_and_fails_the_gate(
    test_images: Path, osv_dir: Path, env: dict[str, str], tmp_path: Path
) -> None:
    inputs = {
        "image": _image(test_images, "pyapp-1.1"),
        "fail-on": "high",
        "db-import": str(osv_dir),
        "db-url": str(tmp_path / "advisories.db"),
        "install": "false",
    }
    runs = run_action(inputs, tmp_path, env)
    assert _codes(runs) == {"Install regwarden": 0, "Vulnerability database": 0, "Scan": 0, "Gate": 1}, runs
    assert f"regwarden {__version__}" in runs[0].stdout
    assert "vulnerabilities at or above 'high'" in runs[-1].stdout
    assert len(_sarif_results(tmp_path / "regwarden.sarif")) == PYAPP_11_RESULTS
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## ❌ regwarden vulnerability scan")
    assert "docker-archive:" in summary  # the SBOM keeps the image's name, not the temporary file's


def test_action_gate_passes_with_ignore_file_and_unfixed_hidden(
    test_images: Path, osv_dir: Path, env: dict[str, str], tmp_path: Path
) -> None:
    ignore = tmp_path / "accepted.yaml"
    ignore.write_text("ignore:\n  - id: TEST-DEB-0001\n    reason: no setuid binaries run\n", encoding="utf-8")
    inputs = {
        "image": _image(test_images, "pyapp-1.1"),
        "fail-on": "critical",
        "ignore-file": str(ignore),
        "ignore-unfixed": "true",
        "db-import": str(osv_dir),
        "db-url": str(tmp_path / "advisories.db"),
        "install": "false",
        "summary": "false",
    }
    runs = run_action(inputs, tmp_path, env)
    assert _codes(runs) == {"Install regwarden": 0, "Vulnerability database": 0, "Scan": 0, "Gate": 0}, runs
    assert runs[-1].stdout == "regwarden: gate passed\n"
    results = _sarif_results(tmp_path / "regwarden.sarif")
    assert len(results) == PYAPP_11_RESULTS - 1  # zlib's unfixed finding hidden; glibc's two kept as suppressed
    assert sum(1 for r in results if "suppressions" in r) == 2
    assert not (tmp_path / "step-summary.md").exists()


def test_action_without_database_fails_the_scan_step_with_exit_8(
    test_images: Path, env: dict[str, str], tmp_path: Path
) -> None:
    inputs = {
        "image": _image(test_images, "pyapp-1.1"),
        "db-update": "false",
        "db-url": str(tmp_path / "empty.db"),
        "install": "false",
    }
    runs = run_action(inputs, tmp_path, env)
    assert _codes(runs) == {"Install regwarden": 0, "Vulnerability database": 0, "Scan": 8}, runs
    assert "is empty: run `regwarden db update`" in runs[-1].stderr
    assert "::error title=regwarden::scan failed with exit code 8" in runs[-1].stdout
    assert not (tmp_path / "regwarden.sarif").exists()


def test_azure_template_publishes_sarif_and_markdown_then_fails_the_gate(
    test_images: Path, osv_dir: Path, env: dict[str, str], tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    parameters: dict[str, str | bool] = {
        "image": _image(test_images, "pyapp-1.0"),
        "failOn": "critical",
        "dbImport": str(osv_dir),
        "dbUrl": str(tmp_path / "advisories.db"),
        "install": False,
    }
    runs = run_azure_template(parameters, tmp_path, staging, env)
    assert _codes(runs) == {
        "Install regwarden": 0,
        "Vulnerability database": 0,
        "Scan ${{ parameters.image }}": 0,
        "Vulnerability gate": 1,
    }, runs
    assert "##vso[task.setvariable variable=REGWARDEN_EXIT_CODE]1" in runs[2].stdout
    published = {
        step["inputs"]["ArtifactName"]: Path(resolve_azure(step["inputs"]["PathtoPublish"], staging))
        for step in azure_steps()
        if step.get("task") == "PublishBuildArtifacts@1"
    }
    assert set(published) == {"CodeAnalysisLogs", "regwarden-report"}
    results = _sarif_results(published["CodeAnalysisLogs"] / "regwarden.sarif")
    assert {r["ruleId"] for r in results} >= {"CVE-2021-44906"}  # minimist, present in 1.0
    markdown = published["regwarden-report"].read_text(encoding="utf-8")
    assert markdown.startswith("## ❌ regwarden vulnerability scan")
    assert f"##vso[task.uploadsummary]{published['regwarden-report']}" in runs[2].stdout


def test_azure_template_without_gate_passes(
    test_images: Path, osv_dir: Path, env: dict[str, str], tmp_path: Path
) -> None:
    parameters: dict[str, str | bool] = {
        "image": _image(test_images, "pyapp-1.1"),
        "failOn": "",
        "ignoreUnfixed": True,
        "dbImport": str(osv_dir),
        "dbUrl": str(tmp_path / "advisories.db"),
        "install": False,
    }
    runs = run_azure_template(parameters, tmp_path, tmp_path / "staging", env)
    assert [run.code for run in runs] == [0, 0, 0, 0], runs
    assert runs[-1].stdout == "regwarden: gate passed\n"
    assert "##vso[task.setvariable variable=REGWARDEN_EXIT_CODE]0" in runs[2].stdout
