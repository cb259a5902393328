"""`service.scan` on the real test images against a real SQLite advisory database loaded by `db import`.

The advisories (tests/vuln/scan_advisories.py) name packages really installed in the images; the expected
findings are exact sets, so a false positive fails as surely as a miss.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from regwarden.model.errors import NoDataError
from regwarden.model.finding import Severity
from regwarden.report.vuln_common import ScanReport
from regwarden.service.images import ImageOptions, build_sbom, render_sbom
from regwarden.service.scan import ScanOptions, render_scan, scan
from tests.support.images import ExpectedPackages, archive_path
from tests.vuln.scan_advisories import import_test_database

SARIF_SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"
PYAPP_11_FINDINGS = {
    ("TEST-DEB-0001", "libc6", "deb"),
    ("TEST-DEB-0001", "libc-bin", "deb"),
    ("TEST-DEB-0004", "zlib1g", "deb"),
    ("CVE-2019-11324", "urllib3", "pypi"),
    ("CVE-2019-10906", "Jinja2", "pypi"),
    ("CVE-2023-32681", "requests", "pypi"),
    ("CVE-2020-8203", "lodash", "npm"),
    ("CVE-2020-28168", "axios", "npm"),
}
NEVER_MATCH = {"TEST-DEB-0002", "TEST-DEB-0003", "TEST-DEB-0005", "GHSA-www2-v7xj-xrc6", "CVE-2018-20060"}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, expected_packages: ExpectedPackages) -> str:
    return import_test_database(tmp_path_factory.mktemp("advisories"), expected_packages)


def _image(test_images: Path, ref: str) -> str:
    return f"docker-archive:{archive_path(test_images, ref, 'docker')}"


def _found(report: ScanReport) -> set[tuple[str, str, str]]:
    return {(f.id, f.package.name, f.package.type.value) for f in report.findings}


def _scan(target: str, database: str, tmp_path: Path, **options: object) -> ScanReport:
    return scan(target, ScanOptions(db_url=database, **options), cwd=tmp_path)  # type: ignore[arg-type]


def test_pyapp_11_findings_are_exact(test_images: Path, database: str, tmp_path: Path) -> None:
    report = _scan(_image(test_images, "pyapp-1.1"), database, tmp_path)
    assert _found(report) == PYAPP_11_FINDINGS
    assert not {f.id for f in report.findings} & NEVER_MATCH
    assert not {a for f in report.findings for a in f.aliases} & NEVER_MATCH
    assert report.warnings == ()
    assert report.gate_failed is False


def test_minimist_matches_in_10_but_not_after_its_whiteout_in_11(
    test_images: Path, database: str, tmp_path: Path
) -> None:
    report = _scan(_image(test_images, "pyapp-1.0"), database, tmp_path)
    assert _found(report) == PYAPP_11_FINDINGS | {("CVE-2021-44906", "minimist", "npm")}
    minimist = next(f for f in report.findings if f.package.name == "minimist")
    assert minimist.severity is Severity.CRITICAL
    assert minimist.aliases == ("GHSA-xvch-5gv4-984h",)
    assert minimist.fixed_versions == ("1.2.6",)


def test_debian_finding_explains_the_source_package_and_database(
    test_images: Path, database: str, tmp_path: Path, expected_packages: ExpectedPackages
) -> None:
    report = _scan(_image(test_images, "pyapp-1.1"), database, tmp_path)
    libc6 = next(f for f in report.findings if f.package.name == "libc6")
    glibc_version = next(p.source_version for p in expected_packages.images["pyapp-1.1"].deb if p.name == "libc6")
    evidence = libc6.evidence[0]
    assert (evidence.ecosystem, evidence.package_name, evidence.installed_version) == (
        "Debian:12",
        "glibc",
        glibc_version,
    )
    assert evidence.database == database
    assert report.database.location == database


def test_sbom_file_gives_the_same_findings_as_the_image(test_images: Path, database: str, tmp_path: Path) -> None:
    image = _image(test_images, "pyapp-1.1")
    sbom_file = tmp_path / "pyapp.cdx.json"
    sbom_file.write_bytes(render_sbom(build_sbom(image, ImageOptions()), "cyclonedx-json"))
    assert _found(_scan(str(sbom_file), database, tmp_path)) == PYAPP_11_FINDINGS


def test_filters_and_gate(test_images: Path, database: str, tmp_path: Path) -> None:
    image = _image(test_images, "pyapp-1.1")
    unfixed_hidden = _scan(image, database, tmp_path, ignore_unfixed=True, fail_on=Severity.CRITICAL)
    assert _found(unfixed_hidden) == PYAPP_11_FINDINGS - {("TEST-DEB-0004", "zlib1g", "deb")}
    assert unfixed_hidden.gate_failed is True  # glibc is rated critical from its CVSS vector
    medium_only = _scan(image, database, tmp_path, severities=frozenset({Severity.MEDIUM}), fail_on=Severity.HIGH)
    assert {f.id for f in medium_only.findings} == {"CVE-2023-32681", "CVE-2020-28168"}
    assert medium_only.gate_failed is False


def test_ignore_file_and_vex_suppress_and_the_gate_follows(test_images: Path, database: str, tmp_path: Path) -> None:
    (tmp_path / ".regwarden-ignore.yaml").write_text(
        "ignore:\n"
        "  - id: TEST-DEB-0001\n    package: glibc\n    reason: setuid binaries are never run\n"
        "  - id: GHSA-mh33-7rrq-662w\n    reason: only talks to our own CA\n    expires: 2020-01-01\n",
        encoding="utf-8",
    )
    vex = tmp_path / "pyapp.openvex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "https://example.com/vex/1",
                "author": "test",
                "timestamp": "2024-05-01T00:00:00Z",
                "version": 1,
                "statements": [
                    {
                        "vulnerability": {"name": "GHSA-462w-v97r-4m45"},
                        "products": [{"@id": "pkg:oci/pyapp", "subcomponents": [{"@id": "pkg:pypi/jinja2"}]}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    report = _scan(_image(test_images, "pyapp-1.1"), database, tmp_path, vex_files=(vex,), fail_on=Severity.CRITICAL)
    suppressed = {(f.id, f.package.name): f.suppressed_by for f in report.suppressed}
    assert set(suppressed) == {
        ("TEST-DEB-0001", "libc6"),
        ("TEST-DEB-0001", "libc-bin"),
        ("CVE-2019-10906", "Jinja2"),
    }
    assert str(suppressed[("CVE-2019-10906", "Jinja2")]).startswith("VEX not_affected: vulnerable_code_not_in_execute")
    assert report.gate_failed is False  # the only critical findings were ignored
    assert len(report.warnings) == 1 and "GHSA-mh33-7rrq-662w expired on 2020-01-01" in report.warnings[0]
    assert ("CVE-2019-11324", "urllib3", "pypi") in _found(report)


def test_stale_database_is_a_warning(test_images: Path, database: str, tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(days=30)
    report = scan(
        _image(test_images, "pyapp-1.1"), ScanOptions(db_url=database, max_db_age_days=7), cwd=tmp_path, now=later
    )
    assert len(report.warnings) == 1
    assert "days old (more than --max-db-age 7); run `regwarden db update`" in report.warnings[0]


def test_empty_database_is_no_data_never_no_vulnerabilities(test_images: Path, tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match=r"is empty: run `regwarden db update` .* `regwarden db import PATH`"):
        _scan(_image(test_images, "pyapp-1.1"), f"sqlite:///{tmp_path / 'new.db'}", tmp_path)


def test_real_outputs_pass_the_official_schemas(test_images: Path, database: str, tmp_path: Path) -> None:
    report = _scan(_image(test_images, "pyapp-1.0"), database, tmp_path)
    sarif = json.loads(render_scan(report, "sarif"))
    validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(sarif)) == []
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {f.id for f in report.findings}
    cyclonedx = render_scan(report, "cyclonedx-json").decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cyclonedx) is None
    assert len(json.loads(cyclonedx)["vulnerabilities"]) == len(report.findings)
