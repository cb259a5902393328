"""The vulnerability formats: golden files, the official schemas, and what each must show or leave out."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from regwarden.report.vuln_cyclonedx import render_vuln_cyclonedx_json
from regwarden.report.vuln_json import render_vuln_json
from regwarden.report.vuln_markdown import MAX_ROWS, render_vuln_markdown
from regwarden.report.vuln_sarif import render_vuln_sarif
from regwarden.report.vuln_table import render_vuln_table
from tests.report.golden import assert_golden
from tests.report.vuln_fixture import CLEAN, GLIBC, REPORT

SARIF_SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"


def _sarif_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def test_json_matches_golden() -> None:
    assert_golden("vuln.regwarden.json", render_vuln_json(REPORT))


def test_json_counts_only_unsuppressed_and_keeps_suppressed_with_reason() -> None:
    document: dict[str, Any] = json.loads(render_vuln_json(REPORT))
    assert document["summary"] == {
        "critical": 1,
        "high": 1,
        "medium": 0,
        "low": 1,
        "info": 0,
        "suppressed": 1,
        "packages_scanned": 16,
    }
    assert [f["id"] for f in document["findings"]] == [
        "CVE-2020-14343",
        "CVE-2023-4911",
        "CVE-2022-25883",
        "CVE-2007-5686",
    ]
    suppressed = {f["id"]: f["suppressed_by"] for f in document["findings"] if f["suppressed_by"]}
    assert set(suppressed) == {"CVE-2022-25883"}
    assert document["gate"] == {"fail_on": "high", "failed": True}
    assert document["findings"][1]["evidence"][0]["package_name"] == "glibc"


def test_sarif_matches_golden_and_the_official_schema() -> None:
    output = render_vuln_sarif(REPORT)
    assert_golden("vuln.sarif", output)
    assert list(_sarif_validator().iter_errors(json.loads(output))) == []


def test_sarif_has_one_rule_per_id_with_security_severity_and_suppressions() -> None:
    run = json.loads(render_vuln_sarif(REPORT))["runs"][0]
    rules = {rule["id"]: rule["properties"]["security-severity"] for rule in run["tool"]["driver"]["rules"]}
    assert rules == {"CVE-2007-5686": "3.0", "CVE-2020-14343": "9.8", "CVE-2022-25883": "5.3", "CVE-2023-4911": "7.8"}
    suppressed = {r["ruleId"] for r in run["results"] if "suppressions" in r}
    assert suppressed == {"CVE-2022-25883"}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} >= {
        "var/lib/dpkg/status"
    }
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_cyclonedx_matches_golden_and_is_strictly_valid_1_6() -> None:
    output = render_vuln_cyclonedx_json(REPORT)
    assert_golden("vuln.cdx.json", output)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(output.decode()) is None


def test_cyclonedx_vulnerabilities_point_at_components_and_carry_vex_analysis() -> None:
    document = json.loads(render_vuln_cyclonedx_json(REPORT))
    components = {c["bom-ref"] for c in document["components"]}
    vulns = {v["id"]: v for v in document["vulnerabilities"]}
    assert set(vulns) == {"CVE-2020-14343", "CVE-2023-4911", "CVE-2007-5686", "CVE-2022-25883"}
    for vuln in vulns.values():
        assert {a["ref"] for a in vuln["affects"]} <= components
    assert vulns["CVE-2022-25883"]["analysis"]["response"] == ["will_not_fix"]
    assert "analysis" not in vulns["CVE-2023-4911"]
    assert {r["id"] for r in vulns["CVE-2020-14343"]["references"]} == {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
    assert vulns["CVE-2020-14343"]["ratings"] == [
        {
            "score": 9.8,
            "severity": "critical",
            "method": "CVSSv31",
            # cyclonedx-python-lib writes the vector without its `CVSS:3.1/` prefix; `method` carries the version.
            "vector": "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        }
    ]
    assert vulns["CVE-2007-5686"]["recommendation"] == "No fixed version is known yet."


def test_table_matches_golden() -> None:
    assert_golden("vuln.table.txt", render_vuln_table(REPORT))


def test_table_of_a_clean_scan_says_nothing_was_found_and_lists_the_suppressed() -> None:
    text = render_vuln_table(CLEAN).decode()
    assert "No vulnerabilities found in 16 packages." in text
    assert "Suppressed" in text and "CVE-2022-25883" in text
    assert text.rstrip().endswith("gate passed: --fail-on high")


def test_unrated_findings_say_so_and_unevaluated_advisories_are_listed() -> None:
    unrated = replace(REPORT, unrated=frozenset({(GLIBC.id, GLIBC.package)}))
    table = render_vuln_table(unrated).decode()
    assert "unrated (counted as high)" in table
    assert "not evaluated: pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1 ALPINE-CVE-2025-26519" in table
    document = json.loads(render_vuln_json(unrated))
    assert {f["id"]: f["unrated"] for f in document["findings"]}[GLIBC.id] is True
    assert [u["advisory_id"] for u in document["match_unknowns"]] == ["ALPINE-CVE-2025-26519"]
    assert "unrated (counted as high)" in render_vuln_markdown(unrated).decode()


def test_markdown_matches_golden() -> None:
    assert_golden("vuln.md", render_vuln_markdown(REPORT))


def test_markdown_escapes_pipes_and_shows_the_verdict() -> None:
    text = render_vuln_markdown(REPORT).decode()
    assert text.startswith("## ❌ regwarden vulnerability scan")
    assert "[CVE-2023-4911](https://osv.dev/vulnerability/CVE-2023-4911)" in text
    assert render_vuln_markdown(CLEAN).decode().startswith("## ✅ ")


def test_markdown_caps_the_table_for_comment_size_limits() -> None:
    many = tuple(replace(GLIBC, id=f"CVE-2024-{n:05d}") for n in range(MAX_ROWS + 5))
    text = render_vuln_markdown(replace(REPORT, findings=many)).decode()
    assert sum(1 for line in text.splitlines() if line.startswith("| libc6 |")) == MAX_ROWS
    assert "… and 5 more findings (see the SARIF or JSON report)." in text
