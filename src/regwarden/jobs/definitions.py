"""Every kind of job, listed explicitly: its name, the function that does it, and the queue it goes to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from regwarden.jobs import requests
from regwarden.jobs.advisory_jobs import run_rematch, run_update_advisories
from regwarden.jobs.catalog_job import run_catalog
from regwarden.jobs.context import JobContext
from regwarden.jobs.purge_job import run_purge_plan
from regwarden.jobs.round_jobs import run_deliver_events, run_watch_round
from regwarden.jobs.sync_jobs import run_sync_cluster, run_sync_registry
from regwarden.model.errors import BadInputError

JobFunction = Callable[[JobContext, Mapping[str, object]], str]
"""Does the work; returns one line saying what it did (starting `failed:` when it failed in part). Raises a
RegwardenError when it could not do it: UnreachableError is retried, anything else fails for good."""


@dataclass(frozen=True)
class JobDefinition:
    kind: str
    run: JobFunction
    many: bool = False
    """Submitted by the thousand (one per digest): they go to a queue of their own, so they never hold up the
    scheduled syncs and deliveries."""
    summary: str = ""


ALL_JOBS: tuple[JobDefinition, ...] = (
    JobDefinition(requests.CATALOG, run_catalog, many=True, summary="catalog one digest into the inventory"),
    JobDefinition(requests.SYNC_REGISTRY, run_sync_registry, summary="list a registry, record tags, catalog"),
    JobDefinition(requests.SYNC_CLUSTER, run_sync_cluster, summary="record what runs in a cluster"),
    JobDefinition(requests.UPDATE_ADVISORIES, run_update_advisories, summary="db update, then re-match"),
    JobDefinition(requests.REMATCH, run_rematch, summary="re-match the inventory against given advisories"),
    JobDefinition(requests.DELIVER_EVENTS, run_deliver_events, summary="deliver the outbox to the webhooks"),
    JobDefinition(requests.WATCH_ROUND, run_watch_round, summary="one watch round, each step a job"),
    JobDefinition(requests.PURGE_PLAN, run_purge_plan, summary="plan what a retention policy would delete"),
)


def definition_of(kind: str) -> JobDefinition:
    for definition in ALL_JOBS:
        if definition.kind == kind:
            return definition
    known = ", ".join(definition.kind for definition in ALL_JOBS)
    raise BadInputError(f"unknown job kind {kind!r}; known kinds: {known}")
