"""The recording step of the GitHub Action and the Azure Pipelines template, run with bash on the bundled samples.

Each pipeline scans samples/demo.oci.tar (or 1.1) against the bundled advisory snapshot, then records the SBOM it
scanned in an inventory database; `regwarden inventory list -o json` on that database must then show the digest
with its repository and tag. The advisories (`db-url`) and the inventory (`db`) are separate databases here, as in
a team's setup, so these tests also show which one each step writes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ci.pipeline_runner import (
    REPO,
    StepRun,
    azure_conditional_blocks,
    run_action,
    run_azure_template,
    runner_env,
)

SAMPLES = REPO / "samples"
ADVISORIES = SAMPLES / "advisories"
ADVISORY_UPDATE = SAMPLES / "advisory-update"
DEMO_1_0 = f"oci-archive:{SAMPLES / 'demo.oci.tar'}"
DEMO_1_1 = f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}"
DIGEST_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DIGEST_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
REPOSITORY = "regwardendemo.azurecr.io/shop/web"
NO_FINDINGS = {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
# With samples/advisories, 1.0 has 13 findings (CVE-2021-33503 unrated, counted as critical; 5 high; 7 medium) and
# 1.1 none; samples/advisory-update adds CVE-2024-34064 (Jinja2 3.1.3, medium) to 1.1 (tests/samples).
FINDINGS_1_0 = {"critical": 1, "high": 5, "medium": 7, "low": 0, "info": 0}
FINDINGS_1_1_UPDATED = {"critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0}
GITHUB_STEPS = ["Install regwarden", "Vulnerability database", "Scan", "Record in the inventory", "Gate"]
AZURE_STEPS = ["Install regwarden", "Vulnerability database", "Scan ${{ parameters.image }}", "Record in the inventory"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return runner_env(tmp_path / "home")


def inventory(db: str, env: dict[str, str]) -> list[dict[str, Any]]:
    """What `regwarden inventory list --db DB -o json` shows, run as a pipeline's next step would run it."""
    done = subprocess.run(
        ["regwarden", "inventory", "list", "--db", db, "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    images: list[dict[str, Any]] = json.loads(done.stdout)["images"]
    return images


def recorded(images: list[dict[str, Any]]) -> dict[str, tuple[list[dict[str, Any]], int, dict[str, int]]]:
    """Each image's digest → (places, packages, findings by severity)."""
    return {image["digest"]: (image["places"], image["packages"], image["findings"]) for image in images}


def place(tag: str) -> list[dict[str, Any]]:
    registry, _, repository = REPOSITORY.partition("/")
    return [{"registry": registry, "repository": repository, "tags": [tag]}]


def codes(runs: list[StepRun]) -> dict[str, int]:
    return {run.name: run.code for run in runs}


def action_inputs(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "image": DEMO_1_0,
        "fail-on": "high",
        "db-import": str(ADVISORIES),
        "db-url": str(tmp_path / "advisories.db"),
        "install": "false",
        "summary": "false",
        **extra,
    }


def test_action_records_the_scanned_image_even_when_the_gate_fails(env: dict[str, str], tmp_path: Path) -> None:
    inventory_db = tmp_path / "inventory.db"
    record = {"record": "true", "record-repo": REPOSITORY, "record-tag": "1.0", "db": str(inventory_db)}
    runs = run_action(action_inputs(tmp_path, **record), tmp_path, env)
    assert codes(runs) == dict.fromkeys(GITHUB_STEPS, 0) | {"Gate": 1}, runs
    assert runs[3].stdout == f"catalogued {DIGEST_1_0}: 6 packages, 0 new findings\n"
    # The inventory database holds no advisories yet: its findings come when its own are loaded (watch, db import).
    assert recorded(inventory(str(inventory_db), env)) == {DIGEST_1_0: (place("1.0"), 6, NO_FINDINGS)}
    assert inventory(str(tmp_path / "advisories.db"), env) == []  # the gate's database only read advisories


def test_action_records_into_postgresql_and_matches_its_advisories(
    env: dict[str, str], tmp_path: Path, postgres_url: str
) -> None:
    """The team's database knows an advisory the gate's snapshot lacks: the gate passes, the inventory has it."""
    for advisories in (ADVISORIES, ADVISORY_UPDATE):
        imported = subprocess.run(
            ["regwarden", "db", "import", str(advisories), "--db", postgres_url], env=env, capture_output=True
        )
        assert imported.returncode == 0, imported.stderr
    record = {"record": "true", "record-repo": REPOSITORY, "record-tag": "1.1", "db": postgres_url}
    runs = run_action(action_inputs(tmp_path, image=DEMO_1_1, **record), tmp_path, env)
    assert codes(runs) == dict.fromkeys(GITHUB_STEPS, 0), runs
    assert runs[3].stdout == f"catalogued {DIGEST_1_1}: 7 packages, 1 new findings\n"
    assert recorded(inventory(postgres_url, env)) == {DIGEST_1_1: (place("1.1"), 7, FINDINGS_1_1_UPDATED)}


def test_action_records_in_db_url_when_db_is_empty(env: dict[str, str], tmp_path: Path) -> None:
    record = {"record": "true", "record-repo": REPOSITORY, "record-tag": "1.0"}
    runs = run_action(action_inputs(tmp_path, **record), tmp_path, env)
    assert codes(runs) == dict.fromkeys(GITHUB_STEPS, 0) | {"Gate": 1}, runs
    assert recorded(inventory(str(tmp_path / "advisories.db"), env)) == {DIGEST_1_0: (place("1.0"), 6, FINDINGS_1_0)}


def test_action_with_record_false_records_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """The Azure test below leaves `record` at its default."""
    database = str(tmp_path / "shared.db")
    inputs = action_inputs(
        tmp_path, **{"record": "false", "db-url": database, "db": database, "record-repo": REPOSITORY}
    )
    runs = run_action(inputs, tmp_path, env)
    assert codes(runs) == {"Install regwarden": 0, "Vulnerability database": 0, "Scan": 0, "Gate": 1}, runs
    assert inventory(database, env) == []


def test_action_refuses_to_record_without_a_database(env: dict[str, str], tmp_path: Path) -> None:
    runs = run_action(action_inputs(tmp_path, **{"record": "true", "db-url": ""}), tmp_path, env)
    assert codes(runs) == dict.fromkeys(GITHUB_STEPS[:4], 0) | {"Record in the inventory": 3}, runs
    assert runs[-1].stdout.startswith("::error title=regwarden::record needs db")


def test_action_records_an_sbom_input_under_the_digest_it_is_given(env: dict[str, str], tmp_path: Path) -> None:
    """An SBOM-only flow: the SBOM of a root filesystem names no image, so the pipeline passes the pushed digest."""
    sbom = _rootfs_sbom(tmp_path, env)
    digest = "sha256:" + "ab" * 32
    record = {"record": "true", "record-repo": REPOSITORY, "record-tag": "2.0", "db": str(tmp_path / "inventory.db")}
    inputs = action_inputs(tmp_path, **{"image": str(sbom), "fail-on": "", "record-digest": digest, **record})
    runs = run_action(inputs, tmp_path, env)
    assert codes(runs) == dict.fromkeys(GITHUB_STEPS, 0), runs
    assert recorded(inventory(str(tmp_path / "inventory.db"), env)) == {digest: (place("2.0"), 1, NO_FINDINGS)}
    del inputs["record-digest"]
    runs = run_action(inputs, tmp_path, env)
    assert runs[-1].name == "Record in the inventory" and runs[-1].code == 3, runs
    assert "names no image digest; pass --digest" in runs[-1].stderr


def test_azure_template_records_the_scanned_image(env: dict[str, str], tmp_path: Path) -> None:
    inventory_db = tmp_path / "inventory.db"
    parameters: dict[str, str | bool] = {
        "image": DEMO_1_1,
        "dbImport": str(ADVISORIES),
        "dbUrl": str(tmp_path / "advisories.db"),
        "install": False,
        "record": True,
        "recordRepo": REPOSITORY,
        "recordTag": "1.1",
        "db": str(inventory_db),
    }
    runs = run_azure_template(parameters, tmp_path, tmp_path / "staging", env)
    assert codes(runs) == dict.fromkeys([*AZURE_STEPS, "Vulnerability gate"], 0), runs
    assert recorded(inventory(str(inventory_db), env)) == {DIGEST_1_1: (place("1.1"), 7, NO_FINDINGS)}


def test_azure_template_reads_an_sbom_input_and_records_it(env: dict[str, str], tmp_path: Path) -> None:
    sbom = tmp_path / "demo.cdx.json"
    made = subprocess.run(
        ["regwarden", "sbom", DEMO_1_0, "-o", "cyclonedx-json", "--output-file", str(sbom)],
        env=env,
        capture_output=True,
    )
    assert made.returncode == 0, made.stderr
    parameters: dict[str, str | bool] = {
        "image": str(sbom),
        "failOn": "",
        "dbImport": str(ADVISORIES),
        "dbUrl": str(tmp_path / "shared.db"),
        "install": False,
        "record": True,
        "recordRepo": REPOSITORY,
        "recordTag": "1.0",
    }
    runs = run_azure_template(parameters, tmp_path, tmp_path / "staging", env)
    assert codes(runs) == dict.fromkeys([*AZURE_STEPS, "Vulnerability gate"], 0), runs
    images = inventory(str(tmp_path / "shared.db"), env)
    assert recorded(images) == {DIGEST_1_0: (place("1.0"), 6, FINDINGS_1_0)}


def test_azure_template_without_record_records_nothing(env: dict[str, str], tmp_path: Path) -> None:
    database = str(tmp_path / "shared.db")
    parameters: dict[str, str | bool] = {
        "image": DEMO_1_0,
        "failOn": "",
        "dbImport": str(ADVISORIES),
        "dbUrl": database,
        "install": False,
        "recordRepo": REPOSITORY,
        "db": database,
    }
    runs = run_azure_template(parameters, tmp_path, tmp_path / "staging", env)
    assert codes(runs) == dict.fromkeys([*AZURE_STEPS[:3], "Vulnerability gate"], 0), runs
    assert inventory(database, env) == []


def test_azure_template_inserts_steps_only_when_asked() -> None:
    blocks = azure_conditional_blocks()
    steps = {condition: [step.get("displayName") for step in block] for condition, block in blocks.items()}
    assert steps == {
        ("install", True): ["Use Python ${{ parameters.pythonVersion }}"],
        ("record", True): ["Record in the inventory"],
    }


def _rootfs_sbom(tmp_path: Path, env: dict[str, str]) -> Path:
    """A CycloneDX SBOM of a one-package root filesystem (a dist-info directory), as a build might produce."""
    dist_info = tmp_path / "rootfs" / "usr/local/lib/python3.11/site-packages/urllib3-1.24.1.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: urllib3\nVersion: 1.24.1\n", encoding="utf-8")
    sbom = tmp_path / "rootfs.cdx.json"
    made = subprocess.run(
        ["regwarden", "sbom", f"dir:{tmp_path / 'rootfs'}", "-o", "cyclonedx-json", "--output-file", str(sbom)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return sbom
