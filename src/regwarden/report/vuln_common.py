"""The result of a vulnerability scan as every vuln_* format receives it, and the orderings they share.

The service computes everything here (filters, suppressions, the gate); formats only render it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from regwarden.model.finding import Severity
from regwarden.model.sbom import Package, Sbom
from regwarden.model.vulnerability import MatchUnknown, VulnerabilityFinding


@dataclass(frozen=True)
class DatabaseInfo:
    location: str
    """Where the advisories were read from (a SQLite path or a PostgreSQL URL without its password)."""
    newest_update: datetime | None
    age_days: float | None


@dataclass(frozen=True)
class ScanReport:
    sbom: Sbom
    findings: tuple[VulnerabilityFinding, ...]
    """After --severity and --ignore-unfixed; suppressed findings stay, with `suppressed_by` set."""
    database: DatabaseInfo
    warnings: tuple[str, ...]
    """Stale database, expired ignore entries, ...: printed on stderr and kept in the outputs."""
    fail_on: Severity | None
    gate_failed: bool
    scanned_at: datetime
    match_unknowns: tuple[MatchUnknown, ...] = ()
    """Advisories whose applicability could not be decided: reported, never dropped."""
    unrated: frozenset[tuple[str, Package]] = frozenset()
    """(id, package) of findings no source rated; they sit in the critical bucket so gates fail closed."""

    def severity_label(self, finding: VulnerabilityFinding) -> str:
        if (finding.id, finding.package) in self.unrated:
            return f"unrated (counted as {finding.severity.value})"
        return finding.severity.value

    @property
    def counted(self) -> tuple[VulnerabilityFinding, ...]:
        """The findings that count: not ignored, not declared unaffected by VEX."""
        return tuple(f for f in self.findings if f.suppressed_by is None)

    @property
    def suppressed(self) -> tuple[VulnerabilityFinding, ...]:
        return tuple(f for f in self.findings if f.suppressed_by is not None)


def ordered(findings: Iterable[VulnerabilityFinding]) -> list[VulnerabilityFinding]:
    """Most severe first, then by package and id, so outputs are stable from run to run."""
    return sorted(
        findings,
        key=lambda f: (-f.severity.rank, f.package.name, f.package.version, f.package.purl, f.id),
    )


def by_package(findings: Iterable[VulnerabilityFinding]) -> list[tuple[Package, list[VulnerabilityFinding]]]:
    """Findings grouped by package, the package with the most severe finding first."""
    groups: dict[Package, list[VulnerabilityFinding]] = {}
    for finding in ordered(findings):
        groups.setdefault(finding.package, []).append(finding)
    return list(groups.items())


def severity_counts(findings: Sequence[VulnerabilityFinding]) -> dict[Severity, int]:
    counts = dict.fromkeys(sorted(Severity, key=lambda s: -s.rank), 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def fixed_in(finding: VulnerabilityFinding) -> str:
    return ", ".join(finding.fixed_versions) if finding.fixed_versions else "not fixed"


def gate_text(report: ScanReport) -> str:
    if report.fail_on is None:
        return "no gate (--fail-on not set)"
    verdict = "FAILED" if report.gate_failed else "passed"
    return f"gate {verdict}: --fail-on {report.fail_on.value}"
