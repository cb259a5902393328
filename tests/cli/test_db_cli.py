"""`regwarden db update | import | status` end to end against a real local OSV bucket (tests/support/osv_server.py)
and a real SQLite file: full and incremental updates, atomicity under failure, resume, imports, status.

The lead registers `db` in cli/app.py; until then the commands run under a throwaway root with the same
GuardedGroup, so exit codes and the one-line error contract are the real ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from regwarden.cli import db_cmd
from regwarden.cli.errors import GuardedGroup
from regwarden.model.errors import ExitCode
from regwarden.service.database import DEFAULT_ECOSYSTEMS
from regwarden.store import open_store
from tests.cli.cli_support import Outcome, assert_clean_failure
from tests.support.osv_server import OSV_TESTDATA, OsvBucket, corrupt, export_zip, load_records, osv_server

ECOSYSTEMS = ("PyPI", "npm", "Debian")


def root() -> typer.Typer:
    app = typer.Typer(cls=GuardedGroup)
    app.add_typer(db_cmd.app, name="db")
    return app


@pytest.fixture
def bucket() -> Iterator[OsvBucket]:
    with osv_server() as running:
        for ecosystem in ECOSYSTEMS:
            running.publish(ecosystem, load_records(ecosystem))
        yield running


class Db:
    def __init__(self, tmp_path: Path, bucket: OsvBucket | None) -> None:
        self.url = f"sqlite:///{tmp_path / 'vulns.db'}"
        self.env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "REGWARDEN_DB": self.url}
        if bucket is not None:
            self.env["REGWARDEN_OSV_URL"] = bucket.url

    def run(self, *args: str) -> Outcome:
        result = CliRunner().invoke(root(), ["db", *args], env=self.env, catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def json(self, *args: str) -> Any:
        outcome = self.run(*args, "-o", "json")
        assert outcome.code == 0, outcome.stderr
        return json.loads(outcome.stdout)

    def update(self, *extra: str, ecosystems: Sequence[str] = ECOSYSTEMS) -> Any:
        return self.json("update", *[f"--ecosystem={e}" for e in ecosystems], *extra)

    def lookup(self, ecosystem: str, name: str) -> set[str]:
        with open_store(self.url) as store:
            return {a.id for a in store.advisories.lookup(ecosystem, name)}


@pytest.fixture
def db(tmp_path: Path, bucket: OsvBucket) -> Db:
    return Db(tmp_path, bucket)


def modes(report: Any) -> dict[str, tuple[str, int]]:
    return {u["ecosystem"]: (u["mode"], u["written"]) for u in report["updated"]}


def test_full_update_of_several_ecosystems(db: Db, bucket: OsvBucket) -> None:
    report = db.update()
    assert modes(report) == {"PyPI": ("full", 3), "npm": ("full", 1), "Debian": ("full", 2)}
    assert report["failed"] == []
    assert db.lookup("PyPI", "pyyaml") == {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
    assert db.lookup("Debian", "glibc") == {"DEBIAN-CVE-2023-4911"}
    assert sorted(bucket.paths()) == ["Debian/all.zip", "PyPI/all.zip", "npm/all.zip"]
    assert list((Path(db.env["XDG_CACHE_HOME"]) / "regwarden" / "osv").iterdir()) == []


def test_incremental_update_fetches_only_newer_records(db: Db, bucket: OsvBucket) -> None:
    db.update()
    records = load_records("PyPI")
    changed = records[2] | {"modified": "2024-07-01T00:00:00Z", "withdrawn": "2024-07-01T00:00:00Z"}
    added = records[1] | {"id": "GHSA-new1-new1-new1", "modified": "2024-07-02T00:00:00Z"}
    bucket.publish("PyPI", [records[0], records[1], changed, added])
    bucket.requests.clear()
    report = db.update(ecosystems=["PyPI"])
    assert modes(report) == {"PyPI": ("incremental", 2)}
    assert bucket.paths() == ["PyPI/modified_id.csv", "PyPI/GHSA-new1-new1-new1.json", "PyPI/PYSEC-2021-142.json"]
    assert db.lookup("PyPI", "pyyaml") == {"GHSA-8q59-q68h-6hv4"}
    assert db.lookup("PyPI", "requests") == {"GHSA-j8r2-6x86-q33q", "GHSA-new1-new1-new1"}


def test_bad_records_in_an_export_are_reported_and_counted(db: Db, bucket: OsvBucket) -> None:
    bad = json.loads((OSV_TESTDATA.parent / "bad" / "MISSING-MODIFIED.json").read_text())
    bucket.files["PyPI/all.zip"] = export_zip([*load_records("PyPI"), bad])
    outcome = db.run("update", "--ecosystem", "PyPI")
    assert outcome.code == 0
    assert "│ PyPI      │ full   │ 3       │ 1        │" in outcome.stdout
    assert outcome.stderr.splitlines()[0] == "regwarden: warning: 1 record(s) rejected (not stored):"
    assert outcome.stderr.splitlines()[1].startswith("  MISSING-MODIFIED: ")


def test_unchanged_export_downloads_only_the_index_and_resets_the_age(db: Db, bucket: OsvBucket) -> None:
    db.update()
    before = {s["ecosystem"]: s["last_updated"] for s in db.json("status")["ecosystems"]}
    bucket.requests.clear()
    assert modes(db.update()) == {"PyPI": ("unchanged", 0), "npm": ("unchanged", 0), "Debian": ("unchanged", 0)}
    assert sorted(bucket.paths()) == ["Debian/modified_id.csv", "PyPI/modified_id.csv", "npm/modified_id.csv"]
    after = {s["ecosystem"]: s["last_updated"] for s in db.json("status")["ecosystems"]}
    assert all(after[name] > before[name] for name in ECOSYSTEMS)


def test_full_flag_ignores_the_watermark(db: Db, bucket: OsvBucket) -> None:
    db.update(ecosystems=["npm"])
    bucket.requests.clear()
    assert modes(db.update("--full", ecosystems=["npm"])) == {"npm": ("full", 1)}
    assert bucket.paths() == ["npm/all.zip"]


def test_default_ecosystem_list_is_requested(db: Db, bucket: OsvBucket) -> None:
    outcome = db.run("update")
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "7 ecosystem(s) not updated", "Alpine")
    assert sorted(bucket.paths()) == sorted(f"{e}/all.zip" for e in DEFAULT_ECOSYSTEMS)
    assert db.lookup("npm", "minimist") == {"GHSA-xvch-5gv4-984h"}


def test_corrupt_zip_keeps_the_previous_database(db: Db, bucket: OsvBucket) -> None:
    db.update()
    bucket.files["PyPI/all.zip"] = corrupt(export_zip(load_records("PyPI")[:1]))
    outcome = db.run("update", "--full", "--ecosystem", "PyPI")
    assert_clean_failure(outcome, ExitCode.INTEGRITY, "PyPI/all.zip", "previous data kept")
    assert db.lookup("PyPI", "pyyaml") == {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
    assert db.lookup("PyPI", "requests") == {"GHSA-j8r2-6x86-q33q"}


def test_interrupted_download_then_resume(db: Db, bucket: OsvBucket) -> None:
    bucket.cut_after["npm/all.zip"] = 200
    outcome = db.run("update", "--ecosystem", "npm")
    assert_clean_failure(outcome, ExitCode.UNREACHABLE, "interrupted", "run again to resume")
    assert db.run("status").code == ExitCode.NO_DATA
    assert modes(db.update(ecosystems=["npm"])) == {"npm": ("full", 1)}
    first, second = bucket.requests
    assert (first.path, second.path, second.headers["Range"]) == ("npm/all.zip", "npm/all.zip", "bytes=200-")
    assert db.lookup("npm", "minimist") == {"GHSA-xvch-5gv4-984h"}


def test_server_error_is_exit_4_and_keeps_data(db: Db, bucket: OsvBucket) -> None:
    db.update(ecosystems=["npm"])
    bucket.fail["npm/modified_id.csv"] = 500
    outcome = db.run("update", "--ecosystem", "npm")
    assert_clean_failure(outcome, ExitCode.UNREACHABLE, "npm/modified_id.csv answered HTTP 500")
    assert db.lookup("npm", "minimist") == {"GHSA-xvch-5gv4-984h"}


def test_timeout_is_exit_4(db: Db, bucket: OsvBucket) -> None:
    bucket.stall.add("PyPI/all.zip")
    outcome = db.run("update", "--ecosystem", "PyPI", "--timeout", "0.3")
    assert_clean_failure(outcome, ExitCode.UNREACHABLE, "timed out", "PyPI/all.zip")


def zip_of_all(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.zip"
    path.write_bytes(export_zip([r for e in ECOSYSTEMS for r in load_records(e)]))
    return path


@pytest.mark.parametrize(
    ("make_path", "expected"),
    [
        (zip_of_all, {"PyPI": 3, "npm": 1, "Debian": 2}),
        (lambda _tmp: OSV_TESTDATA, {"PyPI": 3, "npm": 1, "Debian": 2, "Go": 1}),
        (lambda _tmp: OSV_TESTDATA / "Go" / "GO-2022-0969.yaml", {"Go": 1}),
    ],
    ids=["zip", "directory", "yaml-file"],
)
def test_import(tmp_path: Path, make_path: Any, expected: dict[str, int]) -> None:
    db = Db(tmp_path, None)
    path = make_path(tmp_path)
    report = db.json("import", str(path))
    assert (report["written"], report["rejected"], report["kept_newer"]) == (sum(expected.values()), [], [])
    status = db.json("status")
    assert {s["ecosystem"]: s["advisories"] for s in status["ecosystems"]} == expected
    assert {s["source"] for s in status["ecosystems"]} == {str(path)}


def test_import_reports_rejected_records(tmp_path: Path) -> None:
    db = Db(tmp_path, None)
    outcome = db.run("import", str(OSV_TESTDATA.parent / "bad"))
    assert outcome.code == 0
    assert outcome.stdout.startswith("imported 0 advisories")
    lines = outcome.stderr.splitlines()
    assert lines[0] == "regwarden: warning: 2 record(s) rejected (not stored):"
    assert {line.split(":")[0].strip() for line in lines[1:]} == {"MISSING-MODIFIED", "TRUNCATED-1"}


def test_import_of_a_corrupt_zip_is_exit_6(tmp_path: Path) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(corrupt(export_zip(load_records("PyPI"))))
    assert_clean_failure(Db(tmp_path, None).run("import", str(path)), ExitCode.INTEGRITY, "all.zip is corrupt")


def test_status_table_and_json(db: Db) -> None:
    db.update()
    table = db.run("status")
    assert table.code == 0
    assert table.stdout.startswith(f"database: {db.url}")
    # rich draws the header with heavy bars (┃) and body rows with light ones (│).
    cells = [line.replace("┃", "│").split("│") for line in table.stdout.splitlines()]
    rows = {row[1].strip(): row[2].strip() for row in cells if len(row) > 2}
    assert rows == {"Ecosystem": "Advisories", "Debian": "2", "PyPI": "3", "npm": "1"}
    document = db.json("status")
    assert [(s["ecosystem"], s["advisories"]) for s in document["ecosystems"]] == [
        ("Debian", 2),
        ("PyPI", 3),
        ("npm", 1),
    ]
    assert all(0 <= s["age_seconds"] < 600 for s in document["ecosystems"])
    assert document["ecosystems"][0]["source"].endswith("/Debian/all.zip")


def test_status_of_an_empty_database_is_exit_8(tmp_path: Path) -> None:
    assert_clean_failure(Db(tmp_path, None).run("status"), ExitCode.NO_DATA, "is empty", "regwarden db update")


def _record_seen(db: Db, counts: dict[str, int]) -> None:
    # What a scan of this database records (service/scan.py; tests/vuln/test_scan_records_ecosystems.py).
    with open_store(db.url) as store:
        store.advisories.record_seen(counts, datetime(2026, 11, 27, 12, 0, tzinfo=UTC))


def test_default_adds_the_ecosystems_scans_needed(db: Db, bucket: OsvBucket) -> None:
    _record_seen(db, {"Ubuntu": 3, "PyPI": 2})
    db.run("update")
    assert sorted(bucket.paths()) == sorted(f"{e}/all.zip" for e in {*DEFAULT_ECOSYSTEMS, "Ubuntu"})


def test_configured_list_replaces_the_built_in_one_and_scans_still_add_theirs(db: Db, bucket: OsvBucket) -> None:
    _record_seen(db, {"Debian": 40})
    db.env["REGWARDEN_ECOSYSTEMS"] = " PyPI, npm ,,PyPI"
    report = db.json("update")
    assert modes(report) == {"PyPI": ("full", 3), "npm": ("full", 1), "Debian": ("full", 2)}
    assert sorted(bucket.paths()) == ["Debian/all.zip", "PyPI/all.zip", "npm/all.zip"]


def test_explicit_ecosystem_overrides_seen_and_configured(db: Db, bucket: OsvBucket) -> None:
    _record_seen(db, {"Debian": 40})
    db.env["REGWARDEN_ECOSYSTEMS"] = "PyPI"
    db.update(ecosystems=["npm"])
    assert bucket.paths() == ["npm/all.zip"]


def test_configured_list_without_names_is_bad_input(db: Db, bucket: OsvBucket) -> None:
    db.env["REGWARDEN_ECOSYSTEMS"] = " , "
    assert_clean_failure(db.run("update"), ExitCode.BAD_INPUT, "REGWARDEN_ECOSYSTEMS")
    assert bucket.paths() == []


def test_empty_configured_list_means_the_built_in_one(db: Db, bucket: OsvBucket) -> None:
    db.env["REGWARDEN_ECOSYSTEMS"] = ""
    db.run("update")
    assert sorted(bucket.paths()) == sorted(f"{e}/all.zip" for e in DEFAULT_ECOSYSTEMS)
