"""Local OSV inputs for air-gapped imports: export zips, directory trees, single JSON/YAML files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from regwarden.model.errors import IntegrityError
from regwarden.vuln.sources.interface import AdvisorySourceError
from regwarden.vuln.sources.osv_files import OsvDirectorySource, OsvFileSource, OsvZipSource, open_path_source
from tests.support.osv_server import OSV_TESTDATA, corrupt, export_zip, load_records

PYPI_IDS = {"GHSA-8q59-q68h-6hv4", "GHSA-j8r2-6x86-q33q", "PYSEC-2021-142"}


def test_zip_yields_every_member_once(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(export_zip(load_records("PyPI")))
    source = open_path_source(path)
    assert isinstance(source, OsvZipSource) and not source.needs_network
    records = dict(source.records())
    assert set(records) == PYPI_IDS
    assert json.loads(records["PYSEC-2021-142"])["aliases"] == ["CVE-2020-14343", "GHSA-8q59-q68h-6hv4"]


def test_corrupt_zip_is_an_integrity_error_before_any_record(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(corrupt(export_zip(load_records("PyPI"))))
    with pytest.raises(IntegrityError, match=r"all\.zip"):
        next(iter(open_path_source(path).records()))


def test_truncated_zip_named_zip_is_an_integrity_error(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(export_zip(load_records("PyPI"))[:100])
    with pytest.raises(IntegrityError, match="not a readable zip"):
        open_path_source(path)


def test_directory_reads_json_and_yaml_recursively() -> None:
    source = open_path_source(OSV_TESTDATA)
    assert isinstance(source, OsvDirectorySource)
    records = dict(source.records())
    assert set(records) == PYPI_IDS | {
        "GHSA-xvch-5gv4-984h",
        "DEBIAN-CVE-2023-4911",
        "DSA-5514-1",
        "GO-2022-0969",
    }


def test_yaml_record_becomes_json_with_rfc3339_timestamps() -> None:
    source = open_path_source(OSV_TESTDATA / "Go" / "GO-2022-0969.yaml")
    assert isinstance(source, OsvFileSource)
    [(record_id, data)] = list(source.records())
    document = json.loads(data)
    assert record_id == "GO-2022-0969"
    assert (document["modified"], document["published"]) == ("2024-05-20T20:14:48Z", "2022-09-12T20:23:06Z")
    assert document["affected"][0]["ranges"][0]["events"][1] == {"fixed": "1.18.6"}


def test_json_array_file_yields_each_record(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(load_records("PyPI")))
    assert {record_id for record_id, _ in open_path_source(path).records()} == PYPI_IDS


def test_unreadable_record_is_passed_on_for_the_store_to_reject() -> None:
    path = OSV_TESTDATA.parent / "bad" / "TRUNCATED-1.json"
    assert list(open_path_source(path).records()) == [("TRUNCATED-1", path.read_bytes())]


@pytest.mark.parametrize("name", ["advisories.txt", "missing.json"])
def test_unusable_paths_are_clear_errors(tmp_path: Path, name: str) -> None:
    (tmp_path / "advisories.txt").write_text("hello")
    with pytest.raises(AdvisorySourceError, match=re.escape(name)):
        open_path_source(tmp_path / name)
