"""The package shapes the catalogers now report (versionless packages, roles, archives, runtime packs) go
through every SBOM format valid against the official schemas and read back unchanged.

A root filesystem (`dir:`) is assembled from the cataloger fixtures: a self-contained .NET app, a distroless
status.d with a versionless stanza, a wheelhouse, a zipped egg on the Python path and versionless metadata.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.xml import XmlValidator

from tests.cli.cli_support import invoke
from tests.report.cyclonedx_schema import schema_errors

TESTDATA = Path(__file__).parent / "catalogers" / "testdata"
SPDX_SCHEMA = Path(__file__).parents[1] / "schemas" / "spdx-schema-2.3.json"
SITE = "usr/local/lib/python3.11/site-packages"


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    shutil.copytree(TESTDATA / "dotnet" / "selfcontained", root, dirs_exist_ok=True)
    shutil.copytree(TESTDATA / "dpkg" / "distroless", root, dirs_exist_ok=True)
    archives = TESTDATA / "python" / "archives"
    (root / "opt/wheelhouse").mkdir(parents=True)
    shutil.copy(archives / "tinyjson-0.9.2-py3-none-any.whl", root / "opt/wheelhouse")
    (root / SITE).mkdir(parents=True)
    shutil.copy(archives / "tinyjson-0.9.2-py3.11.egg", root / SITE)
    metadata = root / SITE / "internal_tools-0.0.0.dist-info" / "METADATA"
    metadata.parent.mkdir()
    metadata.write_text("Metadata-Version: 2.1\nName: internal-tools\n", encoding="utf-8")
    return root


def _render(rootfs: Path, tmp_path: Path, output: str) -> Path:
    target = tmp_path / f"sbom.{output}"
    outcome = invoke(["sbom", f"dir:{rootfs}", "-o", output, "--output-file", str(target)])
    assert outcome.code == 0, outcome.stderr
    return target


def _packages(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(p["name"], p["version"], p["purl"]) for p in document["packages"]}


@pytest.fixture(scope="module")
def native(rootfs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = _render(rootfs, tmp_path_factory.mktemp("native"), "json")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_the_new_shapes_are_in_the_sbom(native: dict[str, Any]) -> None:
    shapes = {(p["name"], p["version"], p["cataloger"], p["metadata"].get("role")) for p in native["packages"]}
    assert {
        ("Shop.Web", "2.3.0", "dotnet-deps", "project"),
        ("Shop.Data", "2.3.0", "dotnet-deps", "project reference"),
        ("Microsoft.NETCore.App.Runtime.linux-x64", "8.0.1", "dotnet-deps", "runtime pack"),
        ("netbase", "", "dpkg", None),
        ("tinyjson", "0.9.2", "python-archive", "archive, not installed"),
        ("tinyjson", "0.9.2", "python-installed", None),
        ("internal-tools", "", "python-installed", None),
    } <= shapes
    assert native["unknowns"] == []


@pytest.mark.parametrize("output", ["cyclonedx-json", "cyclonedx-xml", "spdx-json"])
def test_every_format_is_valid_and_reads_back_the_same_packages(
    rootfs: Path, native: dict[str, Any], tmp_path: Path, output: str
) -> None:
    rendered = _render(rootfs, tmp_path, output)
    if output == "cyclonedx-json":
        assert schema_errors(rendered.read_bytes()) == []
    elif output == "cyclonedx-xml":
        assert XmlValidator(SchemaVersion.V1_6).validate_str(rendered.read_text(encoding="utf-8")) is None
    else:
        schema = json.loads(SPDX_SCHEMA.read_text(encoding="utf-8"))
        assert list(jsonschema.Draft7Validator(schema).iter_errors(json.loads(rendered.read_bytes()))) == []

    back = invoke(["sbom", "--from", str(rendered), "-o", "json"])

    assert back.code == 0, back.stderr
    read = json.loads(back.stdout)
    assert _packages(read) == _packages(native)
    assert {(p["purl"], json.dumps(p["metadata"], sort_keys=True)) for p in read["packages"]} == {
        (p["purl"], json.dumps(p["metadata"], sort_keys=True)) for p in native["packages"]
    }
