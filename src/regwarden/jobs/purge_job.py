"""The purge-plan job: what a retention policy would delete from a registry, planned on a worker (a dry run).

A job only ever plans: deleting stays a person's decision (`regwarden purge --apply`), as for every change to a
registry. The plan is the one `regwarden purge --policy FILE` shows, with every protection (what runs in the
synced clusters, locks, index children, referrers); its summary is the job's result, and the whole plan (JSON)
is written to `plan_file` when the job names one (a path on a volume the workers share).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.jobs.arguments import flag, optional_text, text
from regwarden.jobs.catalog_job import image_options
from regwarden.jobs.context import JobContext

if TYPE_CHECKING:
    from regwarden.model.purge import PurgePlan


def run_purge_plan(context: JobContext, args: Mapping[str, object]) -> str:
    from regwarden.lifecycle.policy import load_policy
    from regwarden.model.purge import PurgePlan
    from regwarden.service.purge import PurgeRequest, purge

    registry = text(args, "registry")
    options = image_options({"insecure": flag(args, "insecure")}, context.environ)
    request = PurgeRequest(policy=load_policy(Path(text(args, "policy"))), image=options)
    plan = purge(context.store, registry, request)
    assert isinstance(plan, PurgePlan)  # no `apply`: a plan, never an apply report
    plan_file = optional_text(args, "plan_file")
    if plan_file is not None:
        _write_plan(Path(plan_file), plan)
    summary = (
        f"{registry}: {len(plan.deletions)} manifests to delete, {len(plan.untags)} tags to remove, "
        f"{len(plan.kept)} kept"
    )
    notes = f"; {len(plan.notes)} notes" if plan.notes else ""
    return summary + notes + (f"; plan in {plan_file}" if plan_file else "")


def _write_plan(path: Path, plan: PurgePlan) -> None:
    """Whole or not at all: a reader never sees half a plan."""
    from regwarden.report.purge_json import render_plan_json

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(render_plan_json(plan))
    partial.replace(path)
