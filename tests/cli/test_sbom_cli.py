"""`regwarden sbom` and `regwarden diff` through the CLI on the real images.

Covers the five output formats, `--from` round trips of CycloneDX and SPDX, `dir:` on an unpacked root
filesystem, and diffs of images and of SBOM files.
"""

from __future__ import annotations

import json
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.cli.cli_support import invoke, invoke_json, run_process
from tests.support.images import ExpectedPackages, archive_path, layout_ref
from tests.support.registry import RunningRegistry, push

Identity = tuple[str, str, str]
CDX_NS = {"cdx": "http://cyclonedx.org/schema/bom/1.6"}
FILE_FORMATS = ("json", "cyclonedx-json", "cyclonedx-xml", "spdx-json")
REMOVED = [("removed", "npm", "minimist", ["1.2.0"]), ("removed", "pypi", "PyYAML", ["5.3"])]


def json_identities(document: Mapping[str, Any]) -> set[Identity]:
    """(type, name, version) from regwarden's own JSON format."""
    return {(p["type"], p["name"], p["version"]) for p in document["packages"]}


def json_purls(document: Mapping[str, Any]) -> set[str]:
    return {p["purl"] for p in document["packages"]}


def write_sbom(spec: str, output_format: str, target: Path) -> Path:
    outcome = invoke(["sbom", spec, "-o", output_format, "--output-file", str(target)])
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == ""
    return target


@pytest.fixture(scope="module")
def pyapp_json(test_images: Path) -> dict[str, Any]:
    document: dict[str, Any] = invoke_json(["sbom", layout_ref(test_images, "pyapp-1.1")])
    return document


@pytest.fixture(scope="module")
def rendered(test_images: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """pyapp-1.1 written once in every file format."""
    directory = tmp_path_factory.mktemp("sbom-formats")
    spec = layout_ref(test_images, "pyapp-1.1")
    return {fmt: write_sbom(spec, fmt, directory / f"pyapp-1.1.{fmt}") for fmt in FILE_FORMATS}


def test_json_output_lists_the_installed_packages(
    pyapp_json: Mapping[str, Any], expected_packages: ExpectedPackages
) -> None:
    expected = expected_packages.images["pyapp-1.1"]
    assert json_identities(pyapp_json) == (
        {("deb", p.name, p.version) for p in expected.deb}
        | {("pypi", p.name, p.version) for p in expected.python}
        | {("npm", p.name, p.version) for p in expected.npm}
    )


def test_cyclonedx_json_has_every_package_purl(rendered: Mapping[str, Path], pyapp_json: Mapping[str, Any]) -> None:
    document = json.loads(rendered["cyclonedx-json"].read_text())
    assert document["bomFormat"] == "CycloneDX"
    assert document["specVersion"] == "1.6"
    library_purls = {c["purl"] for c in document["components"] if c["type"] != "operating-system"}
    assert library_purls == json_purls(pyapp_json)
    assert document["metadata"]["component"]["version"] == pyapp_json["image_digest"]


def test_cyclonedx_xml_has_every_package_purl(rendered: Mapping[str, Path], pyapp_json: Mapping[str, Any]) -> None:
    root = ET.parse(rendered["cyclonedx-xml"]).getroot()
    assert root.tag == "{http://cyclonedx.org/schema/bom/1.6}bom"
    purls = {node.text for node in root.findall("cdx:components/cdx:component/cdx:purl", CDX_NS)}
    assert purls == json_purls(pyapp_json)


def test_spdx_json_has_every_package_purl(rendered: Mapping[str, Path], pyapp_json: Mapping[str, Any]) -> None:
    document = json.loads(rendered["spdx-json"].read_text())
    assert document["spdxVersion"] == "SPDX-2.3"
    purls = {
        ref["referenceLocator"]
        for package in document["packages"]
        for ref in package.get("externalRefs", [])
        if ref["referenceType"] == "purl"
    }
    assert purls == json_purls(pyapp_json)


def test_table_output_names_every_package(test_images: Path, pyapp_json: Mapping[str, Any]) -> None:
    outcome = invoke(["sbom", layout_ref(test_images, "pyapp-1.1"), "-o", "table"])
    assert outcome.code == 0
    assert f"packages: {len(pyapp_json['packages'])}" in outcome.stdout
    for name in ("requests", "lodash", "axios", "Jinja2", "libc6", "dpkg"):
        assert name in outcome.stdout


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml", "spdx-json"])
def test_from_round_trip_keeps_the_packages(
    fmt: str, rendered: Mapping[str, Path], pyapp_json: Mapping[str, Any]
) -> None:
    again = invoke_json(["sbom", "--from", str(rendered[fmt])])
    assert json_identities(again) == json_identities(pyapp_json)
    assert json_purls(again) == json_purls(pyapp_json)
    layers = {(p["purl"], p["layer"]["index"] if p["layer"] else None) for p in again["packages"]}
    assert layers == {(p["purl"], p["layer"]["index"]) for p in pyapp_json["packages"]}


def test_from_converts_between_formats(rendered: Mapping[str, Path], tmp_path: Path) -> None:
    """CycloneDX in, SPDX out, and back: nothing is lost on the way."""
    spdx = tmp_path / "converted.spdx.json"
    assert (
        invoke(["sbom", "--from", str(rendered["cyclonedx-json"]), "-o", "spdx-json", "--output-file", str(spdx)]).code
        == 0
    )
    back = invoke_json(["sbom", "--from", str(spdx)])
    original = invoke_json(["sbom", "--from", str(rendered["cyclonedx-json"])])
    assert json_identities(back) == json_identities(original)


def test_image_and_from_together_is_a_usage_problem(rendered: Mapping[str, Path], tmp_path: Path) -> None:
    outcome = run_process(["sbom", "oci:/x:y", "--from", str(rendered["json"])], tmp_path)
    assert outcome.code == 3
    assert "exactly one" in outcome.stderr


def skip_unsafe(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, except that members it refuses (device nodes, absolute symlinks) are skipped
    instead of aborting: a rootfs has both, and neither holds package data."""
    try:
        return tarfile.data_filter(member, destination)
    except tarfile.FilterError:
        return None


def test_dir_source_on_an_unpacked_layer_finds_the_same_debs(
    test_images: Path, tmp_path: Path, expected_packages: ExpectedPackages
) -> None:
    rootfs = tmp_path / "rootfs"
    with tarfile.open(test_images / "layers" / "base.tar") as layer:
        layer.extractall(rootfs, filter=skip_unsafe)
    document = invoke_json(["sbom", f"dir:{rootfs}"])
    debs = {(t, n, v) for t, n, v in json_identities(document) if t == "deb"}
    assert debs == {("deb", p.name, p.version) for p in expected_packages.images["base"].deb}
    assert document["operating_system"]["id"] == "debian"


def test_diff_of_the_two_images(test_images: Path) -> None:
    document = invoke_json(["diff", layout_ref(test_images, "pyapp-1.0"), layout_ref(test_images, "pyapp-1.1")])
    changes = [(c["kind"], c["type"], c["name"], c["before"]) for c in document["changes"]]
    assert sorted(changes) == REMOVED
    assert {c["layer_before"]["index"] for c in document["changes"]} == {1, 2}
    assert all(c["after"] == [] and c["layer_after"] is None for c in document["changes"])


@pytest.mark.parametrize(
    ("before_fmt", "after_fmt"), [("cyclonedx-json", "cyclonedx-json"), ("spdx-json", "cyclonedx-xml")]
)
def test_diff_of_two_sbom_files(test_images: Path, tmp_path: Path, before_fmt: str, after_fmt: str) -> None:
    before = write_sbom(
        f"docker-archive:{archive_path(test_images, 'pyapp-1.0', 'docker')}", before_fmt, tmp_path / "a"
    )
    after = write_sbom(f"oci-archive:{archive_path(test_images, 'pyapp-1.1', 'oci')}", after_fmt, tmp_path / "b")
    document = invoke_json(["diff", str(before), str(after)])
    assert sorted((c["kind"], c["type"], c["name"], c["before"]) for c in document["changes"]) == REMOVED


def test_diff_of_an_image_with_itself_is_empty(test_images: Path) -> None:
    spec = layout_ref(test_images, "pyapp-1.0")
    outcome = invoke(["diff", spec, f"oci-archive:{archive_path(test_images, 'pyapp-1.0', 'oci')}"])
    assert outcome.code == 0
    assert "0 added, 0 removed, 0 changed" in outcome.stdout


def test_registry_sbom_through_the_cli(pushed_images: Mapping[str, str], pyapp_json: Mapping[str, Any]) -> None:
    document = invoke_json(["sbom", pushed_images["pyapp-latest"], "--insecure"])
    assert json_identities(document) == json_identities(pyapp_json)
    assert document["image_digest"] == pyapp_json["image_digest"]


def test_sbom_as_a_process_writes_json_to_stdout(test_images: Path, tmp_path: Path) -> None:
    outcome = run_process(["sbom", layout_ref(test_images, "pyapp-1.1-zstd"), "-o", "json"], tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stderr == ""  # not a terminal: no progress lines, and no warnings from libraries
    assert ("npm", "lodash", "4.17.15") in json_identities(json.loads(outcome.stdout))


@pytest.mark.parametrize("mode", ["basic", "token"])
def test_sbom_from_an_authenticated_registry(
    mode: str,
    test_images: Path,
    basic_auth_registry: RunningRegistry,
    token_auth_registry: RunningRegistry,
    pyapp_json: Mapping[str, Any],
    tmp_path: Path,
) -> None:
    """Layers are blobs fetched with the same credentials (and, for tokens, the same scope) as the manifest."""
    running = basic_auth_registry if mode == "basic" else token_auth_registry
    assert running.creds is not None
    reference = f"{running.host}/sbom/pyapp:1.1"
    push(layout_ref(test_images, "pyapp-1.1"), reference, "oci", creds=running.creds)
    user, password = running.creds
    env = {"DOCKER_CONFIG": str(tmp_path), "REGWARDEN_USERNAME": user, "REGWARDEN_PASSWORD": password}
    document = invoke_json(["sbom", reference, "--insecure"], env)
    assert json_identities(document) == json_identities(pyapp_json)
    assert {p["layer"]["index"] for p in document["packages"]} == {0, 1, 2}
