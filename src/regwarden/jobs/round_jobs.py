"""The watch round as a job, and event delivery.

A round submits each of the watch loop's steps (service/watch.py `round_steps`) as a job of its own, keyed by the
round's schedule slot: in-process they run here one after the other, as `watch` runs them; on workers they run in
parallel, and a step that is still running from the slot before is not queued twice. Events a round's syncs raise
are delivered by the next round's delivery step (or a `deliver-events` job) at the latest.
"""

from __future__ import annotations

from collections.abc import Mapping

from regwarden.jobs import requests
from regwarden.jobs.arguments import flag, optional_text
from regwarden.jobs.context import JobContext
from regwarden.model.job import JobRequest, JobState, Submission
from regwarden.service.watch import ADVISORIES, WatchStep, round_steps


def run_watch_round(context: JobContext, args: Mapping[str, object]) -> str:
    slot = optional_text(args, "slot")
    steps = round_steps(context.settings, flag(args, "update_advisories", default=True))
    submitted = [(step, context.dispatcher.submit(step_request(step, slot))) for step in steps]
    if context.dispatcher.distributed:
        queued = sum(1 for _, submission in submitted if submission.new)
        return f"{queued} of {len(steps)} steps queued ({len(steps) - queued} already on their way)"
    failed = [step.name for step, submission in submitted if _failed(submission)]
    text = "; ".join(f"{step.name}: {submission.job.state}" for step, submission in submitted)
    return f"failed: {', '.join(failed)} ({text})" if failed else text


def run_deliver_events(context: JobContext, args: Mapping[str, object]) -> str:
    from regwarden.service.watch import deliver_events

    return deliver_events(context.store, context.settings, context.transport)


def step_request(step: WatchStep, slot: str | None) -> JobRequest:
    """The job that runs `step` of the round of `slot`."""
    if step.registry is not None:
        watched = step.registry
        return requests.sync_registry_request(watched.registry, watched.repository_pattern, watched.insecure, slot)
    if step.cluster is not None:
        cluster = step.cluster
        from_file = str(cluster.from_file) if cluster.from_file else None
        return requests.sync_cluster_request(
            cluster.context, from_file, cluster.cluster, cluster.catalog, slot, cluster.insecure
        )
    if step.kind == ADVISORIES:
        return requests.update_advisories_request(slot)
    return requests.deliver_events_request(slot)


def _failed(submission: Submission) -> bool:
    return submission.job.state is JobState.FAILED
