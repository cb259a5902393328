"""How severe a matched advisory is: CVSS base score first, then the database's rating, then the distribution's.

Order of evidence, most to least precise:
1. A CVSS vector (v3.x preferred, as NVD and GHSA rate with it so scores compare across advisories; else v4.0;
   else v2), scored with the `cvss` library -> bucket 0 info (CVSS "none"), 0.1-3.9 low, 4.0-6.9 medium,
   7.0-8.9 high, 9.0-10 critical. The affected entry's own vectors win over the advisory's.
2. The database's own rating (GHSA `database_specific.severity`: LOW, MODERATE, HIGH, CRITICAL).
3. Ubuntu's priority (`severity` type `Ubuntu`) or the Debian tracker's urgency (`ecosystem_specific.urgency`).
4. Nothing: the rating is UNRATED (`Rating.severity is None`), never a guessed bucket.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]

from regwarden.model.advisory import Advisory, AffectedPackage, SeverityScore
from regwarden.model.finding import Severity

_CVSS_PREFERENCE = ("CVSS_V3", "CVSS_V4", "CVSS_V2")
_WORDS = {
    "none": Severity.INFO,
    "negligible": Severity.INFO,
    "unimportant": Severity.INFO,
    "low": Severity.LOW,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "critical": Severity.CRITICAL,
}


@dataclass(frozen=True)
class Rating:
    """A severity and where it came from; `severity is None` means no source rated the vulnerability."""

    severity: Severity | None
    basis: str
    """`CVSS_V3`, `CVSS_V4`, `CVSS_V2`, `database`, `Ubuntu`, `urgency` or `unrated`."""
    score: float | None = None
    vector: str | None = None


UNRATED = Rating(severity=None, basis="unrated")


def bucket(score: float) -> Severity:
    """The CVSS v3/v4 qualitative rating of a base score (0 is "none", reported as info)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def cvss_base_score(score: SeverityScore) -> float | None:
    """The base score of a CVSS vector, or None when the type is not CVSS or the vector is malformed."""
    return _score_vector(score.type, score.score.strip())


@lru_cache(maxsize=65_536)
def _score_vector(kind: str, vector: str) -> float | None:
    """Cached: a scan scores the same few thousand vectors over and over."""
    calculator = {"CVSS_V2": CVSS2, "CVSS_V3": CVSS3, "CVSS_V4": CVSS4}.get(kind)
    if calculator is None:
        return None
    try:
        parsed = calculator(vector)
    except CVSSError:
        return None  # A malformed vector falls through to the next source of a rating.
    return float(parsed.base_score)


def rate(advisory: Advisory, affected: AffectedPackage | None = None) -> Rating:
    """The best-founded rating of one advisory, optionally for one of its affected entries."""
    scores = (*(affected.severity if affected else ()), *advisory.severity)
    for rating in (_cvss_rating(scores), _database_rating(advisory), _distribution_rating(scores, affected)):
        if rating is not None:
            return rating
    return UNRATED


def strongest(ratings: Iterable[Rating]) -> Rating:
    """Of several advisories describing one vulnerability, the most severe rating (unrated only if all are).

    Aliased advisories disagree (GHSA high, DSA medium); the worst one keeps a `--fail-on` gate conservative.
    """
    rated = [rating for rating in ratings if rating.severity is not None]
    if not rated:
        return UNRATED
    return max(rated, key=lambda r: (r.severity.rank if r.severity else -1, r.score if r.score is not None else -1))


def _cvss_rating(scores: Iterable[SeverityScore]) -> Rating | None:
    by_type: dict[str, SeverityScore] = {}
    for score in scores:
        by_type.setdefault(score.type, score)
    for kind in _CVSS_PREFERENCE:
        if kind in by_type:
            value = cvss_base_score(by_type[kind])
            if value is not None:
                return Rating(bucket(value), kind, value, by_type[kind].score.strip())
    return None


def _database_rating(advisory: Advisory) -> Rating | None:
    word = (advisory.database_severity or "").strip().lower()
    return Rating(_WORDS[word], "database") if word in _WORDS else None


def _distribution_rating(scores: Iterable[SeverityScore], affected: AffectedPackage | None) -> Rating | None:
    for score in scores:
        word = score.score.strip().lower()
        if score.type == "Ubuntu" and word in _WORDS:
            return Rating(_WORDS[word], "Ubuntu")
    urgency = affected.ecosystem_specific.get("urgency") if affected else None
    if isinstance(urgency, str):
        # Debian writes `low*`/`low**` for "not in the default install" nuances of the same urgency.
        word = urgency.strip().lower().rstrip("*")
        if word in _WORDS:
            return Rating(_WORDS[word], "urgency")
    return None
