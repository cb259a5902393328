"""Every advisory source honours the AdvisorySource contract: it says whether it needs the network and yields
(str id, OSV JSON bytes) records, the same records whatever the container."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from regwarden.vuln.sources.interface import AdvisorySource
from regwarden.vuln.sources.osv_export import OsvExport
from regwarden.vuln.sources.osv_files import OsvDirectorySource, OsvFileSource, OsvZipSource
from tests.support.osv_server import OSV_TESTDATA, export_zip, load_records, osv_server

NPM_ID = "GHSA-xvch-5gv4-984h"


def zip_source(tmp_path: Path, _client: httpx.Client, _url: str) -> AdvisorySource:
    path = tmp_path / "npm.zip"
    path.write_bytes(export_zip(load_records("npm")))
    return OsvZipSource(path)


def directory_source(_tmp: Path, _client: httpx.Client, _url: str) -> AdvisorySource:
    return OsvDirectorySource(OSV_TESTDATA / "npm")


def file_source(_tmp: Path, _client: httpx.Client, _url: str) -> AdvisorySource:
    return OsvFileSource(OSV_TESTDATA / "npm" / f"{NPM_ID}.json")


def export_source(tmp_path: Path, client: httpx.Client, url: str) -> AdvisorySource:
    return OsvExport(url, "npm", client, tmp_path / "cache")


SOURCES: tuple[tuple[Callable[[Path, httpx.Client, str], AdvisorySource], bool], ...] = (
    (zip_source, False),
    (directory_source, False),
    (file_source, False),
    (export_source, True),
)


@pytest.fixture
def served() -> Iterator[tuple[httpx.Client, str]]:
    with osv_server() as bucket, httpx.Client(timeout=5) as client:
        bucket.publish("npm", load_records("npm"))
        yield client, bucket.url


@pytest.mark.parametrize(("make", "needs_network"), SOURCES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_source_contract(
    make: Callable[[Path, httpx.Client, str], AdvisorySource],
    needs_network: bool,
    served: tuple[httpx.Client, str],
    tmp_path: Path,
) -> None:
    source = make(tmp_path, *served)
    records = list(source.records())
    assert source.needs_network is needs_network
    assert source.location
    assert [(record_id, json.loads(data)["id"]) for record_id, data in records] == [(NPM_ID, NPM_ID)]
