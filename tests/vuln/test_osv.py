from __future__ import annotations

import json
from pathlib import Path

import pytest

from regwarden.model.advisory import AffectedRange, RangeEvent, SeverityScore
from regwarden.model.errors import BadInputError
from regwarden.vuln.osv import AdvisoryFormatError, parse_osv
from tests.vuln.osv_fixtures import OSV_DIR, load_advisories

INVALID_DIR = Path(__file__).parent / "testdata" / "osv-invalid"


def _read(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_fixture_parses_with_its_id_and_source() -> None:
    parsed = {(advisory.id, advisory.source) for advisory in load_advisories()}
    assert parsed == {
        ("ALPINE-CVE-2024-0727", "ALPINE-CVE-2024-0727.json"),
        ("DEBIAN-CVE-2024-0001", "DEBIAN-CVE-2024-0001.json"),
        ("DLA-3692-1", "DLA-3692-1.json"),
        ("DSA-5587-1", "DSA-5587-1.json"),
        ("GHSA-5crp-9r3c-p9vr", "TEST-NUGET.json"),
        ("GHSA-67hx-6x53-jw92", "GHSA-67hx-6x53-jw92.json"),
        ("GHSA-8q59-q68h-6hv4", "GHSA-8q59-q68h-6hv4.json"),
        ("GO-2024-2599", "GO-2024-2599.json"),
        ("PYSEC-2021-142", "PYSEC-2021-142.json"),
        ("RHSA-2024:0310", "RHSA-2024-0310.json"),
        ("TEST-BAD-VERSION", "TEST-BAD-VERSION.json"),
        ("TEST-GIT-FIRST", "TEST-GIT-FIRST.json"),
        ("TEST-LAST-AFFECTED", "TEST-LAST-AFFECTED.json"),
        ("TEST-LIMIT", "TEST-LIMIT.json"),
        ("TEST-MULTI-RANGE", "TEST-MULTI-RANGE.json"),
        ("TEST-WITHDRAWN", "TEST-WITHDRAWN.json"),
        ("UBUNTU-CVE-2024-2961", "UBUNTU-CVE-2024-2961.json"),
    }


def test_fields_are_kept_as_written() -> None:
    advisory = parse_osv(_read(OSV_DIR / "GHSA-8q59-q68h-6hv4.json"))  # type: ignore[arg-type]
    assert advisory.aliases == ("CVE-2020-14343",)
    assert advisory.modified == "2024-09-25T20:03:25Z"
    assert advisory.published == "2021-03-17T21:55:49Z"
    assert advisory.schema_version == "1.6.0"
    assert advisory.database_severity == "CRITICAL"
    assert advisory.severity == (SeverityScore("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),)
    assert advisory.references == ("https://nvd.nist.gov/vuln/detail/CVE-2020-14343",)
    (entry,) = advisory.affected
    assert (entry.ecosystem, entry.name, entry.purl) == ("PyPI", "pyyaml", "pkg:pypi/pyyaml")
    assert entry.ranges == (AffectedRange("ECOSYSTEM", (RangeEvent("introduced", "0"), RangeEvent("fixed", "5.4"))),)
    assert advisory.source is None


def test_versions_ecosystem_specific_and_git_ranges() -> None:
    pysec = parse_osv(_read(OSV_DIR / "PYSEC-2021-142.json"))  # type: ignore[arg-type]
    assert pysec.affected[0].versions == ("5.1", "5.2", "5.3", "5.3.1")
    dsa = parse_osv(_read(OSV_DIR / "DSA-5587-1.json"))  # type: ignore[arg-type]
    assert dict(dsa.affected[0].ecosystem_specific) == {"urgency": "medium"}
    git = parse_osv(_read(OSV_DIR / "TEST-GIT-FIRST.json"))  # type: ignore[arg-type]
    assert git.affected[0].ranges[0].type == "GIT"
    assert git.affected[0].ranges[0].repo == "https://example.invalid/gitty"


def test_withdrawn_is_kept_for_the_matcher_to_skip() -> None:
    advisory = parse_osv(_read(OSV_DIR / "TEST-WITHDRAWN.json"))  # type: ignore[arg-type]
    assert advisory.withdrawn == "2024-02-01T00:00:00Z"


def test_an_affected_entry_without_a_package_is_left_out() -> None:
    record = {
        "id": "OSV-2024-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {"ranges": [{"type": "GIT", "repo": "https://example.invalid/r", "events": [{"introduced": "0"}]}]},
            {"package": {"ecosystem": "PyPI", "name": "x"}, "versions": ["1.0"]},
        ],
    }
    assert [entry.name for entry in parse_osv(record).affected] == ["x"]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("missing-modified.json", "NO-MODIFIED: required field 'modified'"),
        ("event-two-keys.json", "exactly one of introduced, fixed, last_affected, limit"),
        ("unknown-range-type.json", "type 'RANGE' is not one of ECOSYSTEM, SEMVER, GIT"),
        ("aliases-not-a-list.json", "'aliases' must be a list"),
        ("not-an-object.json", "expected a JSON object, got list"),
    ],
)
def test_schema_violations_raise_a_bad_input_error(file: str, message: str) -> None:
    with pytest.raises(AdvisoryFormatError, match=message) as raised:
        parse_osv(_read(INVALID_DIR / file), source=file)  # type: ignore[arg-type]
    assert isinstance(raised.value, BadInputError)
    assert file in str(raised.value)


def test_every_invalid_fixture_is_tested() -> None:
    assert len(list(INVALID_DIR.glob("*.json"))) == 5
