"""The jobs table: one row per unit of work submitted to the in-process runner or to workers, under its key.

The key makes submission idempotent (the same digest under the same advisory data, the same registry in the same
schedule slot: one row, one message). A worker claims a row before working on it and renews the claim while it
works; a message delivered twice (a worker that died, a broker that redelivered) finds the row claimed, or done,
and does nothing. The row is also what `regwarden jobs` lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import MOMENT, ROW_ID, metadata

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(512), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("args", sa.Text(), nullable=False),  # JSON object
    sa.Column("state", sa.String(20), nullable=False),  # queued | running | retrying | succeeded | failed
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("worker", sa.String(255), nullable=True),  # host:pid of the claim's holder
    sa.Column("claimed_until", MOMENT, nullable=True),  # NULL or past: nobody is working on it
    sa.Column("queued_at", MOMENT, nullable=False),
    sa.Column("started_at", MOMENT, nullable=True),
    sa.Column("finished_at", MOMENT, nullable=True),
    sa.Column("next_attempt_at", MOMENT, nullable=True),
    sa.Column("result", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.UniqueConstraint("key", name="uq_jobs_key"),
)
sa.Index("ix_jobs_state", jobs.c.state, jobs.c.queued_at)
