"""`sync k8s`: record what runs where, catalog running digests the inventory lacks, and update exposures.

Order per cluster: read it (live, or a `kubectl get pods -A -o json` file), decide each workload's environment
(inventory/environment.py: configured rules, then the naming default; the deciding rule is stored with it), replace
the cluster's running set, fetch and catalog every running digest never catalogued (from the registry its pod spec
names; one that cannot be read is recorded with why), then recompute the exposures of the cluster's workloads.
A namespace the sync could not read is a recorded gap: its workloads keep their last known state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.environment import EnvironmentRules, decide_environment
from regwarden.model.errors import RegwardenError
from regwarden.model.sync import CatalogOutcome, ClusterSyncReport
from regwarden.model.workload import ClusterSnapshot, Environment, Workload
from regwarden.service.catalog import ImagePlace, catalog_reference
from regwarden.service.images import ImageOptions

if TYPE_CHECKING:
    from regwarden.store import Store


def sync_cluster(
    store: Store,
    snapshot: ClusterSnapshot,
    source: str,
    rules: EnvironmentRules,
    *,
    image_options: ImageOptions | None = None,
    catalog_missing: bool = True,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
    catalog: RunningCatalog | None = None,
) -> ClusterSyncReport:
    """`catalog` hands the running digests to catalog elsewhere (jobs on workers); each catalog then refreshes the
    exposures of the workloads running its digest."""
    from regwarden.service.exposure import refresh_exposures
    from regwarden.store.exposures import ExposureScope

    moment = now or datetime.now(UTC)
    decisions = [decide_environment(workload, rules) for workload in snapshot.workloads]
    result = store.workloads.replace_cluster(snapshot, decisions, source, moment)
    catalogued = (
        _catalog_missing(store, snapshot.workloads, image_options, endpoints, moment, catalog)
        if catalog_missing
        else ()
    )
    # Workloads that stopped are in the scope too: their exposures close.
    scope = ExposureScope(workload_ids=frozenset(result.running + result.stopped))
    exposures = refresh_exposures(store, scope, endpoints, moment)
    return ClusterSyncReport(
        cluster=snapshot.cluster,
        source=source,
        workloads=result.present,
        production=sum(1 for d in decisions if d.environment is Environment.PRODUCTION),
        started=len(result.started),
        stopped=len(result.stopped),
        gaps=tuple((gap.scope, gap.reason) for gap in snapshot.gaps),
        catalogued=catalogued,
        without_digest=tuple(
            (_label(w), w.digest_reason or "no running digest reported") for w in snapshot.workloads if not w.digest
        ),
        exposures_opened=len(exposures.opened),
        exposures_closed=len(exposures.closed),
        events=exposures.events,
    )


RunningCatalog = Callable[[Sequence[tuple[str, str, ImagePlace]]], Sequence[CatalogOutcome]]
"""Catalogs running digests elsewhere (jobs on workers) instead of here: (digest, the reference to read it from,
where it lives); returns the outcomes of what it catalogued before returning (none, when it only handed them on)."""


def _catalog_missing(
    store: Store,
    running: Sequence[Workload],
    image_options: ImageOptions | None,
    endpoints: Sequence[str],
    moment: datetime,
    catalog: RunningCatalog | None = None,
) -> tuple[CatalogOutcome, ...]:
    """Catalog every running digest the inventory has never catalogued, from the registry the pod spec names."""
    wanted, outcomes = _uncatalogued(store, running, moment)
    if catalog is not None:
        return (*outcomes, *catalog(wanted))
    for digest, reference, place in wanted:
        outcomes.append(
            catalog_reference(
                store,
                reference,
                image_options or ImageOptions(),
                place=place,
                known_digest=digest,
                origin="k8s",
                endpoints=endpoints,
                now=moment,
            )
        )
    return tuple(sorted(outcomes, key=lambda outcome: outcome.digest or ""))


def _uncatalogued(
    store: Store, running: Sequence[Workload], moment: datetime
) -> tuple[list[tuple[str, str, ImagePlace]], list[CatalogOutcome]]:
    """(digest, reference, place) of each running digest never catalogued; a pod's image reference that is not
    valid is recorded as a failed catalog at once."""
    from regwarden.oci.reference import parse_reference

    references: dict[str, str] = {}
    for workload in running:
        if workload.digest and workload.digest not in references:
            references[workload.digest] = workload.image
    statuses = store.catalog.statuses(references)
    wanted, failed = [], []
    for digest, image in sorted(references.items()):
        if statuses.get(digest) == "catalogued":
            continue
        try:
            reference = parse_reference(image)
        except RegwardenError as error:
            store.catalog.record_failure(digest, image, f"the pod's image reference is not valid: {error}", moment)
            failed.append(CatalogOutcome(image, digest, False, error=str(error)))
            continue
        wanted.append((digest, f"{reference.name}@{digest}", ImagePlace(reference.registry, reference.repository)))
    return wanted, failed


def _label(workload: Workload) -> str:
    return f"{workload.namespace}/{workload.kind}/{workload.name}:{workload.container}"
