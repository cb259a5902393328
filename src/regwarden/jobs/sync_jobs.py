"""Sync jobs: a registry's listings and tags, a cluster's workloads (the watch loop's own steps).

In-process, a sync catalogs its new digests itself, as `sync registry` and `sync k8s` do. On workers it records the
listings and tag moves (or the cluster's workloads), then hands each new digest on as a catalog job of its own,
keyed by digest and advisory data, so the catalogs spread over every worker and a digest two registries (or a
registry and a cluster) share is read once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from regwarden.jobs.arguments import flag, optional_text, text
from regwarden.jobs.context import JobContext
from regwarden.jobs.requests import catalog_request
from regwarden.model.job import JobRequest
from regwarden.model.sync import CatalogOutcome
from regwarden.service.catalog import ImagePlace
from regwarden.service.settings import WatchedCluster, WatchedRegistry


def run_sync_registry(context: JobContext, args: Mapping[str, object]) -> str:
    from regwarden.service.watch import sync_watched_registry

    watched = WatchedRegistry(text(args, "registry"), optional_text(args, "repo"), flag(args, "insecure"))
    if not context.dispatcher.distributed:
        return sync_watched_registry(context.store, context.settings, watched)
    hand_off = CatalogHandOff(context, watched.insecure)
    outcome = sync_watched_registry(context.store, context.settings, watched, catalog=hand_off)
    return f"{outcome}; {hand_off.queued} digests queued to catalog, {hand_off.on_their_way} already on their way"


def run_sync_cluster(context: JobContext, args: Mapping[str, object]) -> str:
    from regwarden.service.watch import sync_watched_cluster

    from_file = optional_text(args, "from")
    cluster = WatchedCluster(
        context=optional_text(args, "context"),
        from_file=Path(from_file) if from_file else None,
        cluster=optional_text(args, "cluster"),
        catalog=flag(args, "catalog", default=True),
        insecure=flag(args, "insecure"),
    )
    if not context.dispatcher.distributed:
        return sync_watched_cluster(context.store, context.settings, cluster)
    hand_off = RunningHandOff(context, cluster.insecure)
    outcome = sync_watched_cluster(context.store, context.settings, cluster, catalog=hand_off)
    return (
        f"{outcome}; {hand_off.queued} running digests queued to catalog, {hand_off.on_their_way} already on their way"
    )


class _HandOff:
    """Submits catalog jobs for a sync instead of cataloguing in the sync, and counts what it submitted."""

    def __init__(self, context: JobContext, insecure: bool) -> None:
        self.context, self.insecure = context, insecure
        self.queued = self.on_their_way = 0

    def _submit(self, requests: Sequence[JobRequest]) -> Sequence[CatalogOutcome]:
        submitted = self.context.dispatcher.submit_many(requests)
        self.queued += sum(1 for submission in submitted if submission.new)
        self.on_their_way += sum(1 for submission in submitted if not submission.new)
        return ()  # nothing catalogued here: the jobs do it


class CatalogHandOff(_HandOff):
    """A registry sync's new digests as catalog jobs (service/sync_registry.py `PendingCatalog`)."""

    def __call__(self, registry: str, pending: Sequence[tuple[str, str]]) -> Sequence[CatalogOutcome]:
        version = self.context.store.advisories.newest_update()
        return self._submit(
            [
                catalog_request(f"{registry}/{repository}@{digest}", digest, version, insecure=self.insecure)
                for repository, digest in pending
            ]
        )


class RunningHandOff(_HandOff):
    """A cluster's running digests the inventory lacks as catalog jobs (service/sync_k8s.py `RunningCatalog`):
    each records where its image lives, as the cluster's pod spec names it."""

    def __call__(self, wanted: Sequence[tuple[str, str, ImagePlace]]) -> Sequence[CatalogOutcome]:
        version = self.context.store.advisories.newest_update()
        return self._submit(
            [
                catalog_request(
                    reference,
                    digest,
                    version,
                    insecure=self.insecure,
                    place=(place.registry, place.repository),
                    origin="k8s",
                )
                for digest, reference, place in wanted
            ]
        )
