"""The advisory snapshot in samples/advisories: every file is an OSV record regwarden reads, and its sources are named.

The records are third-party data (CC-BY 4.0), so the NOTICE must keep their attribution and samples/README.md must
say where each one came from.
"""

from __future__ import annotations

import json

from regwarden.model.advisory import Advisory
from regwarden.vuln.osv import parse_osv
from regwarden.vuln.sources.osv_files import RECORD_SUFFIXES, open_path_source
from tests.samples.snapshot import ADVISORIES, ADVISORY_UPDATE, GHSA_IDS, PYPA_IDS, SAMPLES, UPDATE_IDS

SOURCES = {
    "pypa": ("Python Packaging Advisory Database", "https://github.com/pypa/advisory-database"),
    "ghsa": ("GitHub Advisory Database", "https://github.com/github/advisory-database"),
}


def parsed_snapshot() -> dict[str, Advisory]:
    """Every record of the directory as `db import` reads it (YAML turned into JSON), parsed by regwarden."""
    source = open_path_source(ADVISORIES)
    return {name: parse_osv(json.loads(data), source=name) for name, data in source.records()}


def test_every_file_is_a_record_or_the_notice() -> None:
    files = {path.relative_to(ADVISORIES).as_posix() for path in ADVISORIES.rglob("*") if path.is_file()}
    records = {name for name in files if f".{name.rsplit('.', 1)[-1]}" in RECORD_SUFFIXES}
    assert files - records == {"NOTICE"}
    assert {name.split("/")[0] for name in records} == set(SOURCES)


def test_every_record_parses_as_osv_and_is_named_after_its_id() -> None:
    advisories = parsed_snapshot()
    assert set(advisories) == PYPA_IDS | GHSA_IDS
    assert all(advisory.id == name for name, advisory in advisories.items())
    assert all(advisory.affected and advisory.modified for advisory in advisories.values())


def test_records_sit_under_the_database_they_came_from() -> None:
    prefixes = {"pypa": "PYSEC-", "ghsa": "GHSA-"}
    for path in ADVISORIES.rglob("*"):
        if path.is_file() and path.name != "NOTICE":
            top = path.relative_to(ADVISORIES).parts[0]
            assert path.stem.startswith(prefixes[top]), path


def test_notice_names_each_source_its_licence_and_that_records_are_unmodified() -> None:
    notice = (ADVISORIES / "NOTICE").read_text(encoding="utf-8")
    for directory, (name, url) in SOURCES.items():
        assert f"{directory}/" in notice
        assert name in notice
        assert url in notice
    assert "CC-BY 4.0" in notice
    assert "https://creativecommons.org/licenses/by/4.0/" in notice
    assert "unmodified" in notice


def test_samples_readme_says_where_every_record_came_from() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    missing = {advisory_id for advisory_id in PYPA_IDS | GHSA_IDS | UPDATE_IDS if advisory_id not in readme}
    assert missing == set()
    ghsa_rows = [line.split(" | ") for line in readme.splitlines() if line.startswith("| `ghsa/")]
    upstream = {row[0].rsplit("/", 1)[-1].removesuffix(".json`"): row[2] for row in ghsa_rows}
    assert set(upstream) == GHSA_IDS | UPDATE_IDS
    assert all(path.startswith("`advisories/github-reviewed/") and ghsa in path for ghsa, path in upstream.items())


def test_the_update_holds_advisories_newer_than_the_snapshots_for_the_same_packages() -> None:
    update = {
        name: parse_osv(json.loads(data), source=name) for name, data in open_path_source(ADVISORY_UPDATE).records()
    }
    assert set(update) == UPDATE_IDS
    snapshot = parsed_snapshot()
    for advisory in update.values():
        name = advisory.affected[0].name.lower()
        same_package = [a for a in snapshot.values() if any(e.name.lower() == name for e in a.affected)]
        assert (advisory.published or "") > max(a.published or "" for a in same_package), advisory.id
    assert not set(update) & set(snapshot)
    files = {p.relative_to(ADVISORY_UPDATE).as_posix() for p in ADVISORY_UPDATE.rglob("*") if p.is_file()}
    assert files == {"NOTICE", *(f"ghsa/{a.affected[0].name.lower()}/{i}.json" for i, a in update.items())}
    notice = (ADVISORY_UPDATE / "NOTICE").read_text(encoding="utf-8")
    assert "https://github.com/github/advisory-database" in notice and "CC-BY 4.0" in notice and "unmodified" in notice
