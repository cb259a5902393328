"""`watch`: the loop that makes "within minutes" true — advisory update and re-match, registry and cluster syncs,
event delivery — every interval, until told to stop.

One round, in order: `db update` (which re-matches only what changed and raises events), each watched registry,
each watched cluster, then delivery of pending events. A step that fails is reported and the round goes on: a
registry that is down must not stop the advisory update. Only one watcher works on a database at a time: each
round starts by taking (or renewing) the `watch` lease; a second watcher waits for it, so two never do the same
work twice. A stop request (SIGTERM, Ctrl-C) is honoured between steps; the lease is released on the way out.
The steps are data (`round_steps`), so a schedule on workers (`regwarden beat`) runs the same round, each step
a job of its own (regwarden.jobs).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden.model.errors import RegwardenError
from regwarden.service.settings import Settings, WatchedCluster, WatchedRegistry

if TYPE_CHECKING:
    import httpx

    from regwarden.service.sync_k8s import RunningCatalog
    from regwarden.service.sync_registry import PendingCatalog
    from regwarden.store import Store

LEASE = "watch"
Log = Callable[[str], None]


@dataclass(frozen=True)
class WatchOptions:
    db_url: str | None = None
    interval: timedelta | None = None
    """None: the config's `watch.interval` (5 minutes by default)."""
    once: bool = False
    update_advisories: bool = True
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


@dataclass
class RoundReport:
    started: datetime
    steps: list[tuple[str, str]] = field(default_factory=list)
    """(step, outcome) in order; a failed step's outcome starts with `failed:`."""

    @property
    def failed(self) -> bool:
        return any(outcome.startswith("failed:") for _, outcome in self.steps)


def watch(
    settings: Settings,
    options: WatchOptions,
    stop: threading.Event,
    log: Log,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[RoundReport]:
    """Run rounds until `stop` is set (or once); returns what each round did."""
    from regwarden.store import open_store

    interval = options.interval or settings.interval
    rounds: list[RoundReport] = []
    with open_store(options.db_url, environ) as store:
        try:
            while not stop.is_set():
                if store.leases.acquire(LEASE, options.owner, ttl=interval * 3):
                    rounds.append(run_round(store, settings, options, stop, log, environ, transport))
                else:
                    holder = store.leases.holder(LEASE)
                    log(f"another watcher ({holder[0] if holder else 'unknown'}) holds the lease; waiting")
                if options.once:
                    break
                stop.wait(interval.total_seconds())
        finally:
            store.leases.release(LEASE, options.owner)
    return rounds


def run_round(
    store: Store,
    settings: Settings,
    options: WatchOptions,
    stop: threading.Event,
    log: Log,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> RoundReport:
    report = RoundReport(datetime.now(UTC))
    for step in round_steps(settings, options.update_advisories):
        if stop.is_set():
            report.steps.append((step.name, "skipped: stopping"))
            continue
        try:
            outcome = run_step(step, store, settings, options.db_url, environ, transport)
        except RegwardenError as error:
            outcome = f"failed: {error}"
        report.steps.append((step.name, outcome))
        log(f"{step.name}: {outcome}")
        store.leases.acquire(LEASE, options.owner, ttl=(options.interval or settings.interval) * 3)
    return report


@dataclass(frozen=True)
class WatchStep:
    """One step of a round: `watch` runs the steps here in order; a scheduled round on workers hands each to a
    worker as a job of its own (regwarden.jobs)."""

    name: str
    kind: str
    """ADVISORIES, REGISTRY, CLUSTER or NOTIFICATIONS."""
    registry: WatchedRegistry | None = None
    cluster: WatchedCluster | None = None


ADVISORIES, REGISTRY, CLUSTER, NOTIFICATIONS = "advisories", "registry", "cluster", "notifications"


def round_steps(settings: Settings, update_advisories: bool = True) -> list[WatchStep]:
    """The steps of one round, in order: advisories, each watched registry, each watched cluster, delivery."""
    steps = [WatchStep("advisories", ADVISORIES)] if update_advisories else []
    steps += [WatchStep(f"registry {watched.registry}", REGISTRY, registry=watched) for watched in settings.registries]
    for cluster in settings.clusters:
        steps.append(WatchStep(f"cluster {cluster.context or cluster.from_file}", CLUSTER, cluster=cluster))
    return [*steps, WatchStep("notifications", NOTIFICATIONS)]


def run_step(
    step: WatchStep,
    store: Store,
    settings: Settings,
    db_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Run one step here; its outcome in one line (`failed: …` when it failed in part)."""
    if step.registry is not None:
        return sync_watched_registry(store, settings, step.registry)
    if step.cluster is not None:
        return sync_watched_cluster(store, settings, step.cluster)
    if step.kind == ADVISORIES:
        return update_advisories(db_url, settings, environ, transport)
    return deliver_events(store, settings, transport)


def update_advisories(
    db_url: str | None, settings: Settings, environ: Mapping[str, str] | None, transport: httpx.BaseTransport | None
) -> str:
    from regwarden.service.database import UpdateOptions, update_database

    result = update_database(
        UpdateOptions(), db_url=db_url, environ=environ, transport=transport, endpoints=settings.endpoints
    )
    changed = sum(len(update.changed) for update in result.updated)
    text = f"{len(result.updated)} ecosystem(s) checked, {changed} advisories new or changed"
    if result.rematch is not None:
        text += f"; {result.rematch.new_findings} new and {result.rematch.resolved_findings} resolved findings"
        text += f", {result.rematch.events} events"
    if result.failed:
        names = ", ".join(f"{name} ({error})" for name, error in result.failed)
        return f"failed: {text}; could not update {names}"
    return text


def sync_watched_registry(
    store: Store, settings: Settings, watched: WatchedRegistry, catalog: PendingCatalog | None = None
) -> str:
    """`catalog` hands the digests to catalog elsewhere (jobs on workers) instead of cataloguing them here."""
    from regwarden.service.images import ImageOptions
    from regwarden.service.sync_registry import SyncOptions, sync_registry

    options = SyncOptions(
        ImageOptions(insecure=watched.insecure), repository_pattern=watched.repository_pattern, locks=settings.locks
    )
    report = sync_registry(store, watched.registry, options, endpoints=settings.endpoints, catalog=catalog)
    text = f"{len(report.catalogued)} catalogued, {report.already_known} known, {len(report.tag_moves)} tag moves"
    return f"failed: {text}, {len(report.failed)} could not be read" if report.failed else text


def sync_watched_cluster(
    store: Store, settings: Settings, cluster: WatchedCluster, catalog: RunningCatalog | None = None
) -> str:
    """`catalog` hands the running digests to catalog elsewhere (jobs on workers) instead of cataloguing them here."""
    from regwarden.collect.kubernetes import collect_cluster, read_pods_file
    from regwarden.service.images import ImageOptions
    from regwarden.service.sync_k8s import sync_cluster

    if cluster.from_file is not None:
        snapshot = read_pods_file(cluster.from_file, cluster.cluster or cluster.from_file.stem)
        source = str(cluster.from_file)
    else:
        snapshot = collect_cluster(cluster.context, cluster.cluster)
        source = f"context {cluster.context}"
    report = sync_cluster(
        store,
        snapshot,
        source,
        settings.environments,
        image_options=ImageOptions(insecure=cluster.insecure),
        catalog_missing=cluster.catalog,
        endpoints=settings.endpoints,
        catalog=catalog,
    )
    unreadable = sum(1 for outcome in report.catalogued if outcome.error)
    return (
        f"{report.workloads} workloads, exposures {report.exposures_opened} opened / {report.exposures_closed} "
        f"closed, {len(report.gaps)} gaps, {len(report.catalogued) - unreadable} running digests catalogued"
        + (f", {unreadable} could not be read (see `inventory list`)" if unreadable else "")
    )


def deliver_events(store: Store, settings: Settings, transport: httpx.BaseTransport | None) -> str:
    from regwarden.service.notify import deliver_pending

    if not settings.webhooks:
        return "no webhooks configured"
    from regwarden.inventory.delivery import Outcome

    report = deliver_pending(store, settings.webhooks, transport=transport)
    if report.busy:
        return "another delivery pass is running"
    counts = ", ".join(f"{report.count(outcome)} {outcome.value}" for outcome in Outcome)
    return f"failed: {counts}" if report.failed else counts
