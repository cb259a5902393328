"""The advisory repository on SQLite and PostgreSQL: exact lookups, replace vs merge, rejected records counted,
and a failed write leaving the previous data in place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from regwarden.model.advisory_database import RejectedRecord
from regwarden.store import Store, database_age, open_store
from tests.support.osv_server import OSV_TESTDATA, load_records

RawRecords = list[tuple[str, bytes]]


def raw(records: list[dict[str, Any]]) -> RawRecords:
    return [(r["id"], json.dumps(r).encode()) for r in records]


def osv_raw(ecosystem: str) -> RawRecords:
    return [(p.stem, p.read_bytes()) for p in sorted((OSV_TESTDATA / ecosystem).glob("*.json"))]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


def ids(advisories: list[Any]) -> set[str]:
    return {a.id for a in advisories}


def test_lookup_by_normalised_name_returns_exact_set(store: Store) -> None:
    store.advisories.replace_collection("PyPI", osv_raw("PyPI"), source="PyPI/all.zip")
    expected = {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
    assert ids(store.advisories.lookup("PyPI", "PyYAML")) == expected
    assert ids(store.advisories.lookup("PyPI", "py_yaml")) == set()
    assert ids(store.advisories.lookup("PyPI", "pyyaml")) == expected
    assert ids(store.advisories.lookup("PyPI", "requests")) == {"GHSA-j8r2-6x86-q33q"}
    assert store.advisories.lookup("npm", "pyyaml") == []


def test_lookup_returns_the_parsed_record_with_its_source(store: Store) -> None:
    store.advisories.replace_collection("npm", osv_raw("npm"), source="http://mirror/npm/all.zip")
    [advisory] = store.advisories.lookup("npm", "minimist")
    assert advisory.source == "http://mirror/npm/all.zip"
    assert advisory.aliases == ("CVE-2021-44906",)
    assert [r.events[-1].version for a in advisory.affected for r in a.ranges] == ["0.2.4", "1.2.6"]


def test_release_scoped_ecosystems_are_indexed_by_base(store: Store) -> None:
    store.advisories.replace_collection("Debian", osv_raw("Debian"), source="Debian/all.zip")
    # DSA-5514-1 is withdrawn in the test data: stored, found by id, never matched.
    assert ids(store.advisories.lookup("Debian", "glibc")) == {"DEBIAN-CVE-2023-4911"}
    assert ids(store.advisories.by_id_or_alias("DSA-5514-1")) == {"DSA-5514-1"}
    assert ids(store.advisories.by_id_or_alias("CVE-2023-4911")) == {"DEBIAN-CVE-2023-4911"}


def test_bad_records_are_rejected_with_reasons_and_good_ones_kept(store: Store) -> None:
    bad = [(p.stem, p.read_bytes()) for p in sorted((OSV_TESTDATA.parent / "bad").glob("*.json"))]
    report = store.advisories.replace_collection("PyPI", osv_raw("PyPI") + bad, source="x")
    assert report.written == 3
    assert {r.id for r in report.rejected} == {"MISSING-MODIFIED", "TRUNCATED-1"}
    assert all(isinstance(r, RejectedRecord) and r.reason for r in report.rejected)
    assert [(s.ecosystem, s.advisories) for s in store.advisories.status()] == [("PyPI", 3)]


def test_replace_collection_drops_records_no_longer_exported(store: Store) -> None:
    records = load_records("PyPI")
    store.advisories.replace_collection("PyPI", raw(records), source="one")
    store.advisories.replace_collection("npm", osv_raw("npm"), source="npm")
    store.advisories.replace_collection("PyPI", raw(records[1:]), source="two")
    assert ids(store.advisories.lookup("PyPI", "pyyaml")) == {"PYSEC-2021-142"}
    assert ids(store.advisories.lookup("npm", "minimist")) == {"GHSA-xvch-5gv4-984h"}
    status = {s.ecosystem: (s.advisories, s.source) for s in store.advisories.status()}
    assert status == {"PyPI": (2, "two"), "npm": (1, "npm")}


def test_replace_sets_watermark_to_newest_modified(store: Store) -> None:
    store.advisories.replace_collection("PyPI", osv_raw("PyPI"), source="x")
    assert store.advisories.watermark("PyPI") == "2024-02-01T12:30:00.000000Z"
    assert store.advisories.watermark("npm") is None


def test_merge_files_imports_under_their_base_ecosystem(store: Store) -> None:
    report = store.advisories.merge(osv_raw("PyPI") + osv_raw("Debian"), collection=None, source="dir")
    assert report.collections == ("Debian", "PyPI")
    status = {s.ecosystem: (s.advisories, s.watermark) for s in store.advisories.status()}
    # An import is no complete export: no watermark, so the next update fetches everything.
    assert status == {"Debian": (2, None), "PyPI": (3, None)}


def test_merge_replaces_by_id_and_keeps_the_rest(store: Store) -> None:
    store.advisories.replace_collection("PyPI", osv_raw("PyPI"), source="x")
    changed = load_records("PyPI")[0] | {"modified": "2024-06-01T00:00:00Z", "withdrawn": "2024-06-01T00:00:00Z"}
    store.advisories.merge(raw([changed]), collection="PyPI", source="inc", watermark="2024-06-01T00:00:00.000000Z")
    assert ids(store.advisories.lookup("PyPI", "pyyaml")) == {"PYSEC-2021-142"}
    assert ids(store.advisories.lookup("PyPI", "requests")) == {"GHSA-j8r2-6x86-q33q"}
    assert store.advisories.watermark("PyPI") == "2024-06-01T00:00:00.000000Z"


def test_failed_write_leaves_previous_data(store: Store) -> None:
    store.advisories.replace_collection("PyPI", osv_raw("PyPI"), source="old")

    def broken_feed() -> Iterator[tuple[str, bytes]]:
        yield from raw(load_records("npm"))
        raise OSError("connection lost mid-export")

    with pytest.raises(OSError, match="mid-export"):
        store.advisories.replace_collection("PyPI", broken_feed(), source="new")
    assert ids(store.advisories.lookup("PyPI", "requests")) == {"GHSA-j8r2-6x86-q33q"}
    assert store.advisories.lookup("npm", "minimist") == []
    assert [(s.ecosystem, s.advisories, s.source) for s in store.advisories.status()] == [("PyPI", 3, "old")]


def test_empty_store_and_ages(store: Store) -> None:
    assert store.advisories.is_empty()
    assert (store.advisories.newest_update(), database_age(store)) == (None, None)
    before = datetime.now(UTC)
    store.advisories.replace_collection("npm", osv_raw("npm"), source="x")
    newest = store.advisories.newest_update()
    assert not store.advisories.is_empty()
    assert newest is not None and newest.tzinfo is not None and newest >= before - timedelta(seconds=1)
    age = database_age(store, now=newest + timedelta(days=3))
    assert age is not None and timedelta(days=3) - timedelta(seconds=1) <= age <= timedelta(days=3)


def test_merge_never_rolls_an_advisory_back(store: Store) -> None:
    records = load_records("PyPI")
    newer = records[0] | {"modified": "2025-01-01T00:00:00Z", "summary": "newer"}
    store.advisories.merge(raw([newer]), collection=None, source="fresh")
    report = store.advisories.merge(raw(records), collection=None, source="old bundle")
    assert (report.written, report.kept_newer) == (2, ("GHSA-8q59-q68h-6hv4",))
    # PYSEC-2021-142 lists the GHSA id as an alias, so both come back for it.
    found = {a.id: (a.summary, a.source) for a in store.advisories.by_id_or_alias("GHSA-8q59-q68h-6hv4")}
    assert found == {"GHSA-8q59-q68h-6hv4": ("newer", "fresh"), "PYSEC-2021-142": (None, "old bundle")}
