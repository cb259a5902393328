"""Vulnerability CycloneDX: every VEX and rating shape is valid against the official 1.6 schema and exact."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.report.vuln_cyclonedx import render_vuln_cyclonedx_json
from tests.report.cyclonedx_schema import schema_errors
from tests.report.vuln_fixture import CLEAN, GLIBC, PYYAML, REPORT, SHADOW_UNFIXED, package

NOT_AFFECTED = replace(
    GLIBC, suppressed_by="VEX not_affected: vulnerable_code_not_in_execute_path (vex.json, statement 1)"
)
NOT_AFFECTED_UNLABELLED = replace(GLIBC, suppressed_by="VEX not_affected: (vex.json, statement 2)")
FIXED = replace(PYYAML, suppressed_by="VEX fixed: backported (vex.json, statement 3)")
CVSS4 = replace(SHADOW_UNFIXED, cvss_score=8.65, cvss_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H")
CVSS2 = replace(SHADOW_UNFIXED, cvss_score=10, cvss_vector="AV:N/AC:L/Au:N/C:C/I:C/A:C")
UNLISTED = replace(SHADOW_UNFIXED, package=replace(package("passwd"), version="9"))  # not a package of the SBOM
TWICE = replace(PYYAML, evidence=PYYAML.evidence * 2, aliases=("PYSEC-2021-142", "GHSA-8q59-q68h-6hv4") * 2)
SHAPES = {
    "golden": REPORT,
    "clean": CLEAN,
    "vex": replace(REPORT, findings=(NOT_AFFECTED, NOT_AFFECTED_UNLABELLED, FIXED)),
    "ratings": replace(REPORT, findings=(CVSS4, CVSS2, UNLISTED, TWICE)),
    "none": replace(REPORT, findings=()),
}


def _vulnerabilities(*findings: VulnerabilityFinding) -> list[dict[str, Any]]:
    document = json.loads(render_vuln_cyclonedx_json(replace(REPORT, findings=findings)))
    vulnerabilities: list[dict[str, Any]] = document["vulnerabilities"]
    return vulnerabilities


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_is_valid_against_the_official_schema(name: str) -> None:
    assert schema_errors(render_vuln_cyclonedx_json(SHAPES[name])) == []


def test_vex_statements_become_analysis_and_clear_the_affected_version() -> None:
    analyses = [(v["analysis"], v["affects"][0]["versions"]) for v in _vulnerabilities(NOT_AFFECTED, FIXED)]
    assert analyses == [
        (
            {"detail": FIXED.suppressed_by, "state": "resolved"},
            [{"status": "unaffected", "version": "6.0"}],
        ),
        (
            {"detail": NOT_AFFECTED.suppressed_by, "justification": "code_not_reachable", "state": "not_affected"},
            [{"status": "unaffected", "version": "2.36-9+deb12u4"}],
        ),
    ]
    (unlabelled,) = _vulnerabilities(NOT_AFFECTED_UNLABELLED)
    assert unlabelled["analysis"] == {"detail": NOT_AFFECTED_UNLABELLED.suppressed_by, "state": "not_affected"}


def test_ratings_name_the_cvss_version_and_round_the_score_to_one_decimal() -> None:
    v4, v2 = (v["ratings"] for v in _vulnerabilities(CVSS4, replace(CVSS2, id="CVE-2008-0001")))
    assert v4 == [
        {"method": "CVSSv4", "score": 8.6, "severity": "low", "vector": "AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H"}
    ]
    assert v2 == [{"method": "CVSSv2", "score": 10.0, "severity": "low", "vector": "AV:N/AC:L/Au:N/C:C/I:C/A:C"}]


def test_a_finding_on_a_package_outside_the_sbom_affects_nothing_listed() -> None:
    (entry,) = _vulnerabilities(UNLISTED)
    assert "affects" not in entry
    assert entry["bom-ref"] == f"vuln-0:{UNLISTED.id}:{UNLISTED.package.purl}"


def test_references_and_evidence_are_unique_and_sorted() -> None:
    (entry,) = _vulnerabilities(TWICE)
    assert [r["id"] for r in entry["references"]] == ["GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"]
    assert entry["properties"] == [{"name": "regwarden:evidence", "value": PYYAML.evidence[0].detail}]


def test_entries_are_ordered_by_id_then_bom_ref() -> None:
    ids = [(v["id"], v["bom-ref"]) for v in _vulnerabilities(SHADOW_UNFIXED, PYYAML, GLIBC, replace(GLIBC))]
    assert ids == sorted(ids)
    assert [i for i, _ in ids] == ["CVE-2007-5686", "CVE-2020-14343", "CVE-2023-4911", "CVE-2023-4911"]


def test_a_scan_with_no_findings_has_no_vulnerabilities_key() -> None:
    assert "vulnerabilities" not in json.loads(render_vuln_cyclonedx_json(SHAPES["none"]))
