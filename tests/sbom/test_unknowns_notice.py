"""A scan that leaves unknowns says so in one stderr line, whatever the output format, so a CI log shows it.

Runs the real `regwarden` app in-process on a root filesystem (`dir:`) holding two files no cataloger can
read, and `scan` on the SBOM it wrote, against a real SQLite advisory database imported from one OSV record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_support import invoke

SBOM_FORMATS = ["table", "json", "cyclonedx-json", "cyclonedx-xml", "spdx-json"]
SCAN_FORMATS = ["table", "json", "sarif", "cyclonedx-json", "markdown"]
NOTICE = "regwarden: warning: 2 paths could not be read; see unknowns"
ADVISORY = {
    "id": "TEST-NOTICE-1",
    "modified": "2024-01-01T00:00:00Z",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "unrelated"}, "versions": ["1.0"]}],
}


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    app = root / "app"
    app.mkdir()
    (app / "Shop.deps.json").write_text('{"runtimeTarget": ', encoding="utf-8")  # truncated JSON
    (app / "shop.jar").write_bytes(b"PK\x03\x04 not really a zip")
    site = root / "usr/lib/python3/dist-packages/six-1.16.0.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text("Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("db")
    (work / "advisory.json").write_text(json.dumps(ADVISORY), encoding="utf-8")
    url = str(work / "advisories.sqlite")
    outcome = invoke(["db", "import", str(work / "advisory.json"), "--db", url])
    assert outcome.code == 0, outcome.stderr
    return url


def _notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "could not be read" in line]


@pytest.mark.parametrize("output", SBOM_FORMATS)
def test_sbom_names_the_unreadable_paths_in_every_format(rootfs: Path, output: str) -> None:
    outcome = invoke(["sbom", f"dir:{rootfs}", "-o", output])

    assert outcome.code == 0, outcome.stderr
    assert _notices(outcome.stderr) == [NOTICE]


def test_sbom_without_unknowns_says_nothing(tmp_path: Path) -> None:
    clean = tmp_path / "usr"
    clean.mkdir()
    outcome = invoke(["sbom", f"dir:{tmp_path}", "-o", "json"])

    assert outcome.code == 0, outcome.stderr
    assert _notices(outcome.stderr) == []


@pytest.mark.parametrize("output", SCAN_FORMATS)
def test_scan_names_the_unreadable_paths_in_every_format(
    rootfs: Path, database: str, tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ignore file
    sbom_file = tmp_path / "rootfs.json"
    assert invoke(["sbom", f"dir:{rootfs}", "-o", "json", "--output-file", str(sbom_file)]).code == 0

    outcome = invoke(["scan", str(sbom_file), "--db", database, "-o", output])

    assert outcome.code == 0, outcome.stderr
    assert _notices(outcome.stderr) == [
        NOTICE + " (in -o json, or from regwarden sbom); what they hold was not checked"
    ]
