"""The ignore file: parsing, alias and package matching, and expiry that stops ignoring and says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from regwarden.vuln.ignore import IgnoreEntry, IgnoreFileError, apply_ignores, parse_ignore_file
from tests.report.vuln_fixture import FINDINGS, GLIBC, PYYAML, SEMVER, SHADOW_UNFIXED

IGNORE = Path(__file__).parent / "testdata" / "ignore"
ACCEPTED = IGNORE / "accepted.regwarden-ignore.yaml"


def _entries() -> tuple[IgnoreEntry, ...]:
    return parse_ignore_file(ACCEPTED.read_text(encoding="utf-8"), ACCEPTED.name)


def test_entries_are_read_with_dates_quoted_or_not() -> None:
    origin = ACCEPTED.name
    assert _entries() == (
        IgnoreEntry(
            "GHSA-8q59-q68h-6hv4", "only yaml.safe_load is used", "pyyaml", date(2030, 1, 1), f"{origin} entry 1"
        ),
        IgnoreEntry(
            "CVE-2023-4911",
            "containers never run setuid binaries",
            "pkg:deb/debian/libc6",
            date(2024, 6, 30),
            f"{origin} entry 2",
        ),
        IgnoreEntry("CVE-2007-5686", "no /var/log/btmp in containers", "shadow", None, f"{origin} entry 3"),
    )


def test_active_entries_suppress_by_alias_name_purl_and_source_package() -> None:
    fresh = [replace(f, suppressed_by=None) for f in FINDINGS]
    outcome = apply_ignores(fresh, _entries(), today=date(2024, 6, 30))
    assert {f.id: f.suppressed_by for f in outcome.findings} == {
        PYYAML.id: f"ignored: only yaml.safe_load is used ({ACCEPTED.name} entry 1)",
        GLIBC.id: f"ignored: containers never run setuid binaries ({ACCEPTED.name} entry 2)",
        SHADOW_UNFIXED.id: f"ignored: no /var/log/btmp in containers ({ACCEPTED.name} entry 3)",
        SEMVER.id: None,
    }
    assert outcome.expired == ()
    assert outcome.warnings() == []


def test_expired_entry_stops_ignoring_and_is_reported() -> None:
    fresh = [replace(f, suppressed_by=None) for f in FINDINGS]
    outcome = apply_ignores(fresh, _entries(), today=date(2024, 7, 1))
    suppressed = {f.id for f in outcome.findings if f.suppressed_by}
    assert suppressed == {PYYAML.id, SHADOW_UNFIXED.id}
    assert outcome.warnings() == [
        "ignore entry for CVE-2023-4911 (pkg:deb/debian/libc6) expired on 2024-06-30; it no longer ignores "
        f"anything ({ACCEPTED.name} entry 2)"
    ]


def test_entry_for_another_package_does_not_ignore() -> None:
    entries = parse_ignore_file("- id: CVE-2020-14343\n  package: ruamel.yaml\n  reason: r\n", "inline")
    assert apply_ignores([PYYAML], entries, date(2024, 1, 1)).findings == (PYYAML,)


def test_empty_file_ignores_nothing() -> None:
    assert parse_ignore_file("# nothing accepted yet\n", "empty.yaml") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ((IGNORE / "missing-reason.regwarden-ignore.yaml").read_text(encoding="utf-8"), "`reason` is required"),
        ("ignore: {id: CVE-1}", "expected a top-level `ignore:` list"),
        ("ignore:\n  - reason: because\n", "`id` .* is required"),
        ("ignore:\n  - id: CVE-1\n    reason: r\n    expires: next year\n", "`expires` must be a date"),
        ("ignore:\n  - id: CVE-1\n    reason: r\n    until: 2025-01-01\n", "unknown keys until"),
        ("ignore:\n  - id: CVE-1\n    reason: r\n    package: 3\n", "`package` must be"),
        ("ignore: [\n", "is not valid YAML"),
        ("ignore:\n  - CVE-1\n", "an entry is a mapping"),
    ],
)
def test_bad_files_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(IgnoreFileError, match=message):
        parse_ignore_file(text, "bad.yaml")
