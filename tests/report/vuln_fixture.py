"""Vulnerability findings for the format, ignore and VEX tests, on the packages of tests/report/sbom_fixture.py.

The findings are what the matcher yields for that SBOM against real advisories: a PyPI one with GHSA and PYSEC
aliases, a Debian one keyed by the source package, an unfixed one, and a suppressed one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from regwarden.model.finding import Severity
from regwarden.model.sbom import Package
from regwarden.model.vulnerability import MatchEvidence, MatchUnknown, VulnerabilityFinding
from regwarden.report.vuln_common import DatabaseInfo, ScanReport
from tests.report.sbom_fixture import SBOM

DATABASE = "sqlite:///regwarden.db"


def package(name: str) -> Package:
    return next(p for p in SBOM.packages if p.name == name)


def _evidence(advisory: str, ecosystem: str, name: str, version: str, detail: str) -> MatchEvidence:
    return MatchEvidence(advisory, ecosystem, name, version, "range", detail, DATABASE, 1.5)


PYYAML = VulnerabilityFinding(
    id="CVE-2020-14343",
    aliases=("GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"),
    package=package("PyYAML"),
    severity=Severity.CRITICAL,
    cvss_score=9.8,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    fixed_versions=("5.4",),
    summary="Improper Input Validation in PyYAML",
    evidence=(_evidence("GHSA-8q59-q68h-6hv4", "PyPI", "pyyaml", "6.0", "ECOSYSTEM introduced 0, fixed 5.4"),),
)
GLIBC = VulnerabilityFinding(
    id="CVE-2023-4911",
    aliases=("DSA-5514-1",),
    package=package("libc6"),
    severity=Severity.HIGH,
    cvss_score=7.8,
    cvss_vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    fixed_versions=("2.36-9+deb12u5",),
    summary="Buffer overflow in ld.so GLIBC_TUNABLES (Looney Tunables)",
    evidence=(
        _evidence("DSA-5514-1", "Debian:12", "glibc", "2.36-9+deb12u4", "ECOSYSTEM introduced 0, fixed 2.36-9+deb12u5"),
    ),
)
SHADOW_UNFIXED = VulnerabilityFinding(
    id="CVE-2007-5686",
    aliases=(),
    package=package("passwd"),
    severity=Severity.LOW,
    summary="initscripts in rPath Linux sets insecure permissions for /var/log/btmp",
    evidence=(_evidence("CVE-2007-5686", "Debian:12", "shadow", "1:4.13+dfsg1-1", "ECOSYSTEM introduced 0"),),
)
SEMVER = VulnerabilityFinding(
    id="CVE-2022-25883",
    aliases=("GHSA-c2qf-rxjj-qqgw",),
    package=next(p for p in SBOM.packages if p.name == "semver" and p.version == "6.3.1"),
    severity=Severity.MEDIUM,
    cvss_score=5.3,
    cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
    fixed_versions=("5.7.2", "6.3.1", "7.5.2"),
    summary="semver vulnerable to Regular Expression Denial of Service",
    evidence=(_evidence("GHSA-c2qf-rxjj-qqgw", "npm", "semver", "6.3.1", "SEMVER introduced 6.0.0, fixed 6.3.1"),),
    suppressed_by="ignored: only parses our own version strings (.regwarden-ignore.yaml entry 1)",
)
FINDINGS = (PYYAML, GLIBC, SHADOW_UNFIXED, SEMVER)

REPORT = ScanReport(
    sbom=SBOM,
    findings=FINDINGS,
    database=DatabaseInfo(DATABASE, datetime(2024, 4, 29, 23, 0, tzinfo=UTC), 1.54),
    warnings=("ignore entry for CVE-2000-0001 expired on 2024-04-01; it no longer ignores anything (x entry 2)",),
    fail_on=Severity.HIGH,
    gate_failed=True,
    scanned_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    match_unknowns=(
        MatchUnknown(package("musl"), "ALPINE-CVE-2025-26519", "Alpine:v3.19: the image's OS release is unknown"),
    ),
)
CLEAN = replace(REPORT, findings=(SEMVER,), warnings=(), gate_failed=False)
