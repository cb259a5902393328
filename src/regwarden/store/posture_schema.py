"""Recorded posture audits (`audit acr --record`): one run per audit, one row per registry and rule.

Results are facts with the time they were recorded, so a registry's baseline over time is a query: the newest
run that holds the registry is its current posture, the earlier ones its history.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import MOMENT, ROW_ID, metadata

posture_runs = sa.Table(
    "posture_runs",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", MOMENT, nullable=False),
    sa.Column("source", sa.Text(), nullable=False),  # the input files, or `azure:SUBSCRIPTION`
    sa.Column("profile", sa.String(20), nullable=False),
    sa.Column("tool_version", sa.String(40), nullable=False),
)

posture_results = sa.Table(
    "posture_results",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("run_id", ROW_ID, sa.ForeignKey("posture_runs.id"), nullable=False),
    sa.Column("registry_name", sa.String(255), nullable=False),
    sa.Column("registry_id", sa.Text(), nullable=False),  # the ARM id when known
    sa.Column("rule_id", sa.String(20), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # PASS | FAIL | UNKNOWN | SKIPPED
    sa.Column("suppressed", sa.Boolean(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("evidence", sa.Text(), nullable=False),  # JSON list of {path, value, source, origin, reason}
    sa.Column("note", sa.Text(), nullable=True),  # the suppression's note
)
sa.Index("ix_posture_results_registry", posture_results.c.registry_name, posture_results.c.run_id)
