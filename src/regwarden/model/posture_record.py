"""Recorded posture audits, as the store hands them back: results per registry and rule, and runs over time.

Result types only; store/posture_runs.py fills them, posture/score.py scores them, the API and pages show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RecordedResult:
    registry_name: str
    registry_id: str
    rule_id: str
    title: str
    severity: str
    status: str
    """PASS | FAIL | UNKNOWN | SKIPPED."""
    suppressed: bool
    message: str
    evidence: tuple[dict[str, object], ...] = ()
    note: str | None = None

    @property
    def effective_status(self) -> str:
        return "SUPPRESSED" if self.suppressed else self.status


@dataclass(frozen=True)
class RegistryPosture:
    """A registry's newest recorded audit: its results and score, with when and how it was recorded."""

    registry_name: str
    registry_id: str
    run_id: int
    recorded_at: datetime
    profile: str
    score: float | None
    """0–100 (see posture/score.py); None when no rule passed or failed."""
    counts: dict[str, int] = field(default_factory=dict)
    results: tuple[RecordedResult, ...] = ()

    @property
    def failing(self) -> list[RecordedResult]:
        return [result for result in self.results if result.effective_status == "FAIL"]


@dataclass(frozen=True)
class PosturePoint:
    """One recorded run of a registry: its score then."""

    run_id: int
    recorded_at: datetime
    score: float | None
    failing: int
