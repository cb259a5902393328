"""The audit-log findings table: what `logs analyze` found, kept once per finding (migration 0011).

A finding is identified by its fingerprint (detection id, key, first evidence time), so analysing the same logs
again, or overlapping periods, stores nothing twice and raises no second event; a re-analysis that sees more of
the same finding (a burst that went on) updates its last time, count and evidence instead.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import MOMENT, ROW_ID, metadata

audit_findings = sa.Table(
    "audit_findings",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),  # sha256 hex of id|key|first_seen
    sa.Column("detection_id", sa.String(20), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("registry", sa.String(255), nullable=True),
    sa.Column("identity", sa.Text(), nullable=True),
    sa.Column("caller_ip", sa.String(64), nullable=True),
    sa.Column("first_seen", MOMENT, nullable=False),
    sa.Column("last_seen", MOMENT, nullable=False),
    sa.Column("record_count", sa.Integer(), nullable=False),
    sa.Column("evidence", sa.Text(), nullable=False),  # JSON list of the evidence records, as read
    sa.Column("source", sa.Text(), nullable=False),  # the files or workspace analysed
    sa.Column("recorded_at", MOMENT, nullable=False),
)
sa.Index("ix_audit_findings_detection", audit_findings.c.detection_id)
sa.Index("ix_audit_findings_first_seen", audit_findings.c.first_seen)
