"""OpenVEX documents → statements, and applying them to findings: suppress only what the spec says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from regwarden.collect.sbomfile.openvex import VexFormatError, parse_openvex, read_openvex_file
from regwarden.model.vex import VexProduct, VexStatus
from regwarden.vuln.vex import apply_vex, purl_matches
from tests.report.vuln_fixture import FINDINGS, GLIBC, PYYAML, SEMVER, SHADOW_UNFIXED

VEX = Path(__file__).parent / "testdata" / "vex"
IMAGE = "sha256:1111111111111111111111111111111111111111111111111111111111111111"


def _suppressions(findings: object, digest: str | None) -> dict[str, str | None]:
    statements = [
        *read_openvex_file(VEX / "image-v0.2.0.openvex.json"),
        *read_openvex_file(VEX / "legacy-v0.0.1.openvex.json"),
    ]
    fresh = [replace(f, suppressed_by=None) for f in FINDINGS]
    return {f.id: f.suppressed_by for f in apply_vex(fresh, statements, digest)}


def test_v020_document_reads_into_statements() -> None:
    statements = read_openvex_file(VEX / "image-v0.2.0.openvex.json")
    assert [(s.vulnerability, s.status) for s in statements] == [
        ("CVE-2020-14343", VexStatus.NOT_AFFECTED),
        ("CVE-2023-4911", VexStatus.AFFECTED),
        ("DSA-5514-1", VexStatus.UNDER_INVESTIGATION),
        ("CVE-2007-5686", VexStatus.FIXED),
        ("CVE-2007-5686", VexStatus.AFFECTED),
    ]
    first = statements[0]
    assert first.aliases == ("GHSA-8q59-q68h-6hv4",)
    assert first.products == (VexProduct(f"pkg:oci/pyapp@{IMAGE.replace(':', '%3A')}", ("pkg:pypi/pyyaml@6.0",)),)
    assert first.timestamp == "2024-05-01T10:00:00Z"  # inherited from the document
    assert statements[2].timestamp == "2024-05-02T09:00:00Z"
    assert statements[3].products == (VexProduct("pkg:deb/debian/passwd@1:4.13%2Bdfsg1-1%2Bb1"),)
    assert first.origin.endswith("(https://example.com/vex/pyapp-2024-001) statement 0")


def test_legacy_document_puts_statement_subcomponents_on_each_product() -> None:
    statements = read_openvex_file(VEX / "legacy-v0.0.1.openvex.json")
    assert statements[0].products == (VexProduct("pkg:oci/pyapp", ("pkg:pypi/PyYAML",)),)
    assert statements[0].justification == "vulnerable_code_not_present"


def test_statements_suppress_per_status_product_and_image() -> None:
    result = _suppressions(FINDINGS, IMAGE)
    assert result["CVE-2020-14343"] is not None
    assert result["CVE-2020-14343"].startswith("VEX not_affected: vulnerable_code_not_in_execute_path (")
    # affected, then under_investigation (later) for libc6: neither suppresses; the other image's
    # not_affected statement is about a different digest.
    assert result["CVE-2023-4911"] is None
    # fixed on 04-01 is overridden by affected on 04-15.
    assert result["CVE-2007-5686"] is None
    # no statement names semver's vulnerability.
    assert result["CVE-2022-25883"] is None


def test_image_statement_with_other_digest_does_not_apply_but_versionless_image_does() -> None:
    other = "sha256:" + "3" * 64
    result = _suppressions(FINDINGS, other)
    # the v0.2.0 statement names image 1111…, the legacy one names pkg:oci/pyapp without a digest.
    assert result["CVE-2020-14343"] is not None
    assert result["CVE-2020-14343"].startswith("VEX not_affected: vulnerable_code_not_present (")


def test_image_level_statement_for_other_image_leaves_glibc_alone_even_without_a_digest() -> None:
    statements = read_openvex_file(VEX / "legacy-v0.0.1.openvex.json")
    glibc = apply_vex([GLIBC], statements[1:], "sha256:" + "4" * 64)
    assert glibc == [GLIBC]


def test_already_suppressed_finding_keeps_its_first_reason() -> None:
    statements = parse_openvex(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "statements": [
                {
                    "vulnerability": {"name": "GHSA-c2qf-rxjj-qqgw"},
                    "products": [{"@id": "pkg:npm/semver@6.3.1"}],
                    "status": "not_affected",
                    "justification": "inline_mitigations_already_exist",
                }
            ],
        }
    )
    assert apply_vex([SEMVER, SHADOW_UNFIXED, PYYAML], statements) == [SEMVER, SHADOW_UNFIXED, PYYAML]


@pytest.mark.parametrize(
    ("pattern", "purl", "expected"),
    [
        ("pkg:pypi/PyYAML", "pkg:pypi/pyyaml@6.0", True),
        ("pkg:pypi/py_yaml", "pkg:pypi/py-yaml@6.0", True),
        ("pkg:pypi/pyyaml@5.4", "pkg:pypi/pyyaml@6.0", False),
        ("pkg:npm/%40babel/core@7.23.2", "pkg:npm/%40babel/core@7.23.2", True),
        ("pkg:npm/core@7.23.2", "pkg:npm/%40babel/core@7.23.2", False),
        ("pkg:deb/debian/libc6?arch=amd64", "pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12", True),
        ("pkg:deb/debian/libc6?arch=arm64", "pkg:deb/debian/libc6@2.36?arch=amd64&distro=debian-12", False),
        ("pkg:deb/debian/Libc6", "pkg:deb/debian/libc6@2.36", False),
        ("not a purl", "pkg:deb/debian/libc6@2.36", False),
    ],
)
def test_purl_matching(pattern: str, purl: str, expected: bool) -> None:
    assert purl_matches(pattern, purl) is expected


def test_not_affected_without_justification_is_rejected() -> None:
    with pytest.raises(VexFormatError, match="not_affected needs a justification or an impact_statement"):
        read_openvex_file(VEX / "not-affected-without-reason.openvex.json")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "is a JSON object"),
        ({"@context": "https://cyclonedx.org", "statements": []}, "not an OpenVEX document"),
        ({"@context": "https://openvex.dev/ns/v0.2.0"}, "has no `statements` list"),
        (
            {"@context": "https://openvex.dev/ns", "statements": [{"vulnerability": "CVE-1", "status": "gone"}]},
            "status 'gone' is not one of",
        ),
        (
            {"@context": "https://openvex.dev/ns", "statements": [{"vulnerability": "CVE-1", "status": "fixed"}]},
            "`products` must be a non-empty list",
        ),
        (
            {
                "@context": "https://openvex.dev/ns",
                "statements": [
                    {
                        "vulnerability": "CVE-1",
                        "products": ["pkg:npm/a"],
                        "status": "not_affected",
                        "justification": "trust_me",
                    }
                ],
            },
            "unknown justification 'trust_me'",
        ),
    ],
)
def test_malformed_documents_are_bad_input(document: object, message: str) -> None:
    with pytest.raises(VexFormatError, match=message):
        parse_openvex(document, origin="x.json")


def test_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(VexFormatError, match="cannot read OpenVEX file"):
        read_openvex_file(broken)
