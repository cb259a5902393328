"""A scan remembers which base ecosystems it looked packages up under (for `db update` without `-e`), and a
read-only database still answers scans, with a warning instead of the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.service.scan import ScanOptions, scan_sbom
from regwarden.store import open_store
from regwarden.store.schema import seen_ecosystems
from tests.support.osv_server import OSV_TESTDATA

MOMENT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DEBIAN_12 = OperatingSystem("debian", "12")


def _pkg(kind: PackageType, name: str, version: str, **extra: object) -> Package:
    return Package(name, version, kind, f"pkg:{kind.value}/{name}@{version}", "test", **extra)  # type: ignore[arg-type]


SBOM = Sbom(
    "test-image",
    (
        _pkg(PackageType.DEB, "libc6", "2.36-9", source_name="glibc", source_version="2.36-9"),
        _pkg(PackageType.DEB, "libc-bin", "2.36-9", source_name="glibc", source_version="2.36-9"),
        _pkg(PackageType.DEB, "zlib1g", "1:1.2.13-1", source_name="zlib", source_version="1:1.2.13-1"),
        _pkg(PackageType.PYPI, "Jinja2", "2.10"),
        _pkg(PackageType.PYPI, "requests", "2.30.0"),
        _pkg(PackageType.NPM, "lodash", "4.17.15"),
    ),
    operating_system=DEBIAN_12,
)
"""Lookup keys: Debian glibc and zlib (two source names for three packages), PyPI jinja2 and requests, npm lodash."""


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'vulns.db'}"
    records = [(p.stem, p.read_bytes()) for p in sorted((OSV_TESTDATA / "PyPI").glob("*.json"))]
    with open_store(url) as store:
        store.advisories.merge(records, collection="PyPI", source="testdata")
    return url


def _seen_rows(url: str) -> set[tuple[str, int]]:
    with open_store(url) as store, store.engine.connect() as conn:
        return {(row.ecosystem, row.packages) for row in conn.execute(sa.select(seen_ecosystems))}


def test_scan_records_each_base_ecosystem_with_its_name_count(tmp_path: Path) -> None:
    url = _database(tmp_path)
    report = scan_sbom(SBOM, ScanOptions(db_url=url), cwd=tmp_path, now=MOMENT, environ={})
    assert _seen_rows(url) == {("Debian", 2), ("PyPI", 2), ("npm", 1)}
    assert not any("could not record" in warning for warning in report.warnings)
    with open_store(url) as store:
        assert store.advisories.seen_ecosystems() == ["Debian", "PyPI", "npm"]


def test_read_only_database_scans_and_warns_instead_of_recording(tmp_path: Path) -> None:
    url = _database(tmp_path)
    read_only = f"sqlite:///file:{tmp_path / 'vulns.db'}?mode=ro&uri=true"
    report = scan_sbom(SBOM, ScanOptions(db_url=read_only), cwd=tmp_path, now=MOMENT, environ={})
    recorded = [w for w in report.warnings if w.startswith("could not record the ecosystems this scan needed")]
    assert len(recorded) == 1
    assert "readonly database" in recorded[0]
    assert _seen_rows(url) == set()
    assert {(f.id, f.package.name) for f in report.findings} == {("CVE-2023-32681", "requests")}
