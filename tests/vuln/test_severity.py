from __future__ import annotations

import pytest

from regwarden.model.advisory import Advisory, AffectedPackage, SeverityScore
from regwarden.model.finding import Severity
from regwarden.vuln.severity import UNRATED, Rating, bucket, cvss_base_score, rate, strongest

V3_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V4_CRITICAL = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"


@pytest.mark.parametrize(
    ("kind", "vector", "score"),
    [
        # Base scores as published by FIRST's calculators and NVD for these vectors.
        ("CVSS_V3", V3_CRITICAL, 9.8),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS_V3", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
        ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS_V4", V4_CRITICAL, 9.3),
        ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0),
        ("CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5),
        ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0),
        ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
    ],
)
def test_cvss_base_scores(kind: str, vector: str, score: float) -> None:
    assert cvss_base_score(SeverityScore(kind, vector)) == score


@pytest.mark.parametrize(("kind", "vector"), [("CVSS_V3", "garbage"), ("CVSS_V3", "CVSS:3.1/AV:N"), ("Ubuntu", "high")])
def test_malformed_or_non_cvss_vectors_have_no_score(kind: str, vector: str) -> None:
    assert cvss_base_score(SeverityScore(kind, vector)) is None


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        (0.0, Severity.INFO),
        (0.1, Severity.LOW),
        (3.9, Severity.LOW),
        (4.0, Severity.MEDIUM),
        (6.9, Severity.MEDIUM),
        (7.0, Severity.HIGH),
        (8.9, Severity.HIGH),
        (9.0, Severity.CRITICAL),
        (10.0, Severity.CRITICAL),
    ],
)
def test_buckets(score: float, severity: Severity) -> None:
    assert bucket(score) is severity


def _advisory(*scores: SeverityScore, database: str | None = None) -> Advisory:
    return Advisory("X-1", "2024-01-01T00:00:00Z", severity=scores, database_severity=database)


def test_cvss_v3_is_preferred_over_v4_and_the_database_rating() -> None:
    advisory = _advisory(
        SeverityScore("CVSS_V4", V4_CRITICAL),
        SeverityScore("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
        database="CRITICAL",
    )
    assert rate(advisory) == Rating(Severity.MEDIUM, "CVSS_V3", 6.1, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")


def test_v4_is_used_when_v3_is_malformed() -> None:
    advisory = _advisory(SeverityScore("CVSS_V3", "nonsense"), SeverityScore("CVSS_V4", V4_CRITICAL))
    assert rate(advisory) == Rating(Severity.CRITICAL, "CVSS_V4", 9.3, V4_CRITICAL)


def test_the_affected_entrys_vector_wins_over_the_advisorys() -> None:
    entry = AffectedPackage("PyPI", "x", severity=(SeverityScore("CVSS_V3", V3_CRITICAL),))
    advisory = _advisory(SeverityScore("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"))
    assert rate(advisory, entry).score == 9.8


@pytest.mark.parametrize(
    ("word", "severity"),
    [("LOW", Severity.LOW), ("MODERATE", Severity.MEDIUM), ("MEDIUM", Severity.MEDIUM), ("HIGH", Severity.HIGH)],
)
def test_database_rating_without_a_vector(word: str, severity: Severity) -> None:
    assert rate(_advisory(database=word)) == Rating(severity, "database")


def test_distribution_ratings() -> None:
    assert rate(_advisory(SeverityScore("Ubuntu", "negligible"))) == Rating(Severity.INFO, "Ubuntu")
    debian = AffectedPackage("Debian:12", "curl", ecosystem_specific={"urgency": "low**"})
    assert rate(_advisory(), debian) == Rating(Severity.LOW, "urgency")


def test_no_source_means_unrated_not_a_guess() -> None:
    undecided = AffectedPackage("Debian:12", "curl", ecosystem_specific={"urgency": "not yet assigned"})
    assert rate(_advisory(database="UNKNOWN"), undecided) is UNRATED
    assert UNRATED.severity is None


def test_strongest_takes_the_worst_rated_and_ignores_unrated() -> None:
    medium, high = Rating(Severity.MEDIUM, "database"), Rating(Severity.HIGH, "CVSS_V3", 7.5, "v")
    assert strongest([medium, UNRATED, high]) == high
    assert strongest([UNRATED]) is UNRATED
