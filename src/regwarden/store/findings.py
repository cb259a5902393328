"""Per-package findings with first-seen / last-seen / resolved times, and the ids each finding answers to.

`apply` takes the complete match result of some packages (every finding each package has now) and turns the
difference with what is stored into facts: new findings, findings still present (last_seen moves on), findings
that are gone (resolved_at is set), and findings that came back (reopened, reported as new).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import finding_ids, package_findings
from regwarden.store.moments import aware_now
from regwarden.store.upsert import dialect_insert


@dataclass(frozen=True)
class EvaluatedFinding:
    """One finding of one stored package, as the matcher produced it."""

    package_id: int
    finding: VulnerabilityFinding
    unrated: bool = False


@dataclass(frozen=True)
class FindingChanges:
    new: frozenset[tuple[int, str]]
    """(package id, vulnerability id) found for the first time, or again after being resolved."""
    resolved: frozenset[tuple[int, str]]
    kept: int
    """Findings that were already open and still are."""

    @property
    def vulnerabilities(self) -> frozenset[str]:
        return frozenset(vuln for _, vuln in self.new | self.resolved)


class FindingRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def apply(
        self, evaluated_packages: Iterable[int], found: Sequence[EvaluatedFinding], now: datetime | None = None
    ) -> FindingChanges:
        """Store the findings of `evaluated_packages` (all of them: a package without findings has none now)."""
        moment = aware_now(now)
        package_ids = sorted(set(evaluated_packages))
        current = {(item.package_id, item.finding.id): item for item in found}
        with self._engine.begin() as conn:
            stored = _stored_states(conn, package_ids)
            new = {key for key in current if stored.get(key, "resolved") == "resolved"}
            resolved = {key for key, state in stored.items() if state == "open" and key not in current}
            _upsert(conn, [current[key] for key in sorted(current)], new, moment)
            _resolve(conn, resolved, moment)
            _record_ids(conn, current.values())
        return FindingChanges(frozenset(new), frozenset(resolved), len(current) - len(new))

    def packages_with(self, identifiers: Iterable[str]) -> set[int]:
        """Packages with an open finding that answers to any of `identifiers` (an advisory id or alias)."""
        found: set[int] = set()
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(identifiers))):
                named = sa.select(finding_ids.c.vuln_id).where(finding_ids.c.alias.in_(chunk))
                query = sa.select(package_findings.c.package_id).where(
                    package_findings.c.vuln_id.in_(named), package_findings.c.resolved_at.is_(None)
                )
                found |= {int(row.package_id) for row in conn.execute(query)}
        return found

    def vulnerability_ids(self, identifier: str) -> set[str]:
        """The finding ids `identifier` names: itself when findings use it, and findings it is an alias of."""
        query = sa.select(finding_ids.c.vuln_id).where(finding_ids.c.alias == identifier)
        with self._engine.connect() as conn:
            return {str(row.vuln_id) for row in conn.execute(query)}

    def aliases_of(self, vuln_ids: Iterable[str]) -> dict[str, list[str]]:
        """vulnerability id → every other id it answers to, sorted."""
        found: dict[str, list[str]] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(vuln_ids))):
                query = sa.select(finding_ids).where(finding_ids.c.vuln_id.in_(chunk)).order_by(finding_ids.c.alias)
                for row in conn.execute(query):
                    if row.alias != row.vuln_id:
                        found.setdefault(str(row.vuln_id), []).append(str(row.alias))
        return found


def _stored_states(conn: Connection, package_ids: Sequence[int]) -> dict[tuple[int, str], str]:
    states: dict[tuple[int, str], str] = {}
    for chunk in chunks(package_ids):
        query = sa.select(
            package_findings.c.package_id, package_findings.c.vuln_id, package_findings.c.resolved_at
        ).where(package_findings.c.package_id.in_(chunk))
        for row in conn.execute(query):
            states[(int(row.package_id), str(row.vuln_id))] = "open" if row.resolved_at is None else "resolved"
    return states


def _upsert(conn: Connection, items: Sequence[EvaluatedFinding], new: set[tuple[int, str]], moment: datetime) -> None:
    fresh = [_row(item, moment) for item in items if (item.package_id, item.finding.id) in new]
    kept = [_row(item, moment) for item in items if (item.package_id, item.finding.id) not in new]
    insert = dialect_insert(conn, package_findings)
    for batch, restart in ((fresh, True), (kept, False)):
        if batch:
            conn.execute(_upsert_statement(insert, restart=restart), batch)


def _upsert_statement(insert: Any, *, restart: bool) -> Any:
    """Insert or refresh a finding. A reopened finding (`restart`) starts over: its first_seen is now."""
    refreshed = ("ids", "severity", "unrated", "cvss_score", "fixed", "summary", "evidence", "last_seen")
    values: dict[str, object] = {name: insert.excluded[name] for name in refreshed}
    values["resolved_at"] = None
    if restart:
        values["first_seen"] = insert.excluded.first_seen
    return insert.on_conflict_do_update(
        index_elements=[package_findings.c.package_id, package_findings.c.vuln_id], set_=values
    )


def _resolve(conn: Connection, resolved: set[tuple[int, str]], moment: datetime) -> None:
    for package_id, vuln_id in sorted(resolved):
        conn.execute(
            sa.update(package_findings)
            .where(package_findings.c.package_id == package_id, package_findings.c.vuln_id == vuln_id)
            .values(resolved_at=moment)
        )


def _record_ids(conn: Connection, items: Iterable[EvaluatedFinding]) -> None:
    rows = {(alias, item.finding.id) for item in items for alias in (item.finding.id, *item.finding.aliases)}
    if rows:
        statement = dialect_insert(conn, finding_ids).on_conflict_do_nothing()
        conn.execute(statement, [{"alias": alias, "vuln_id": vuln} for alias, vuln in sorted(rows)])


def _row(item: EvaluatedFinding, moment: datetime) -> dict[str, object]:
    finding = item.finding
    return {
        "package_id": item.package_id,
        "vuln_id": finding.id,
        "ids": json.dumps([finding.id, *finding.aliases]),
        "severity": finding.severity.value,
        "unrated": item.unrated,
        "cvss_score": finding.cvss_score,
        "fixed": json.dumps(list(finding.fixed_versions)),
        "summary": finding.summary,
        "evidence": json.dumps([_evidence(e) for e in finding.evidence]),
        "first_seen": moment,
        "last_seen": moment,
        "resolved_at": None,
    }


def _evidence(evidence: object) -> Mapping[str, object]:
    fields = ("advisory_id", "ecosystem", "package_name", "installed_version", "matched_by", "detail")
    return {name: getattr(evidence, name) for name in fields}
