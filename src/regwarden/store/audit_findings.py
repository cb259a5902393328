"""Audit-log findings and their events, written together: a new finding gets its `audit.finding` event and one
outbox row per configured webhook in the same transaction, so a stored finding is never left unannounced."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.detect.detection import Finding
from regwarden.inventory.events import NewEvent
from regwarden.model.audit import RecordedFindings
from regwarden.store.audit_schema import audit_findings
from regwarden.store.events import insert_events
from regwarden.store.moments import aware, aware_now
from regwarden.store.upsert import dialect_insert


@dataclass(frozen=True)
class StoredFinding:
    detection_id: str
    severity: str
    title: str
    message: str
    registry: str | None
    identity: str | None
    caller_ip: str | None
    first_seen: datetime
    last_seen: datetime
    count: int
    evidence: list[dict[str, object]]
    source: str
    recorded_at: datetime


def fingerprint(finding: Finding) -> str:
    text = f"{finding.detection.id}|{finding.key}|{finding.first_seen.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


class AuditFindingRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        findings: Sequence[tuple[Finding, NewEvent]],
        endpoints: Sequence[str],
        source: str,
        now: datetime | None = None,
    ) -> RecordedFindings:
        """Store each finding once; new ones raise their event. Returns what was new, updated, left alone."""
        moment = aware_now(now)
        new = updated = events = 0
        with self._engine.begin() as conn:
            for finding, event in findings:
                row = _row(finding, source, moment)
                inserted = conn.execute(
                    dialect_insert(conn, audit_findings)
                    .on_conflict_do_nothing(index_elements=["fingerprint"])
                    .returning(audit_findings.c.id),
                    [row],
                ).scalar()
                if inserted is not None:
                    new += 1
                    events += insert_events(conn, [event], endpoints, moment)
                elif _grow(conn, row):
                    updated += 1
        return RecordedFindings(new, updated, len(findings) - new - updated, events)

    def recent(self, limit: int = 100, detection_id: str | None = None) -> list[StoredFinding]:
        """The newest findings first (by first time seen)."""
        query = sa.select(audit_findings).order_by(audit_findings.c.first_seen.desc(), audit_findings.c.id.desc())
        if detection_id:
            query = query.where(audit_findings.c.detection_id == detection_id.upper())
        with self._engine.connect() as conn:
            return [_stored(row._mapping) for row in conn.execute(query.limit(limit))]


def _row(finding: Finding, source: str, moment: datetime) -> dict[str, object]:
    meta = finding.detection
    return {
        "fingerprint": fingerprint(finding),
        "detection_id": meta.id,
        "severity": meta.severity.value,
        "title": meta.title,
        "message": finding.message,
        "registry": finding.registry or None,
        "identity": finding.identity or None,
        "caller_ip": finding.caller_ip or None,
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "record_count": finding.count,
        "evidence": json.dumps([e.as_dict() for e in finding.evidence], sort_keys=True),
        "source": source,
        "recorded_at": moment,
    }


def _grow(conn: Connection, row: dict[str, object]) -> bool:
    """Widen a stored finding to what this analysis saw of it; True when it changed."""
    table = audit_findings
    changed = conn.execute(
        sa.update(table)
        .where(
            table.c.fingerprint == row["fingerprint"],
            sa.or_(table.c.last_seen < row["last_seen"], table.c.record_count < row["record_count"]),
        )
        .values(
            last_seen=row["last_seen"],
            record_count=row["record_count"],
            message=row["message"],
            evidence=row["evidence"],
        )
    )
    return bool(changed.rowcount)


def _stored(mapping: sa.RowMapping) -> StoredFinding:
    return StoredFinding(
        detection_id=str(mapping["detection_id"]),
        severity=str(mapping["severity"]),
        title=str(mapping["title"]),
        message=str(mapping["message"]),
        registry=mapping["registry"],
        identity=mapping["identity"],
        caller_ip=mapping["caller_ip"],
        first_seen=aware(mapping["first_seen"]) or aware_now(),
        last_seen=aware(mapping["last_seen"]) or aware_now(),
        count=int(mapping["record_count"]),
        evidence=json.loads(mapping["evidence"]),
        source=str(mapping["source"]),
        recorded_at=aware(mapping["recorded_at"]) or aware_now(),
    )
