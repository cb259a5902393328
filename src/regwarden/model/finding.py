"""Statuses and severities shared by every kind of finding (posture, vulnerability, detection)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Tri-state result plus SKIPPED; a value that could not be read is UNKNOWN, never FAIL."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    SKIPPED = "SKIPPED"


class Severity(StrEnum):
    """Severity scale, ordered from least to most severe by `rank`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r}; expected one of: {names}") from None


_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
