"""What a purge must not delete, from outside the registry: digests running in synced clusters (the inventory), and
digests pulled within --pulled-within (ACR repository-event logs). Each comes with notes saying what was checked,
and what could not be: a purge without a synced cluster still runs, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.lifecycle.selection import moment
from regwarden.model.audit import AuditTable
from regwarden.model.errors import BadInputError
from regwarden.model.purge import RepositoryContents

if TYPE_CHECKING:
    from regwarden.store import Store


def running_digests(store: Store, digests: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """digest → the workloads running it (directly, or the index it was pulled through), and notes."""
    clusters = store.workloads.clusters()
    if not clusters:
        return {}, ["no cluster is synced in the inventory: what runs could not be checked (sync k8s first)"]
    found = store.impact.running(digests)
    running = {
        digest: tuple(sorted({f"{w.cluster}/{w.namespace}/{w.kind}/{w.name}" for w in workloads}))
        for digest, workloads in found.items()
    }
    synced = ", ".join(f"{c.cluster} (synced {moment(c.synced_at)})" for c in clusters)
    notes = [f"running images checked in {len(clusters)} cluster(s): {synced}"]
    for cluster in clusters:
        notes += [f"{cluster.cluster}: {scope} was not readable ({reason})" for scope, reason in cluster.gaps]
    return running, notes


def recent_pulls(
    paths: Sequence[Path],
    registry: str,
    window: timedelta,
    now: datetime,
    contents: Sequence[RepositoryContents],
) -> tuple[dict[str, datetime], list[str]]:
    """digest → its last pull within `window`, from ContainerRegistryRepositoryEvents records (any export the
    audit-log readers take). A pull by tag counts for the digest the tag names now."""
    from regwarden.collect.azurelogs import AuditLogReader

    if not paths:
        raise BadInputError(
            "--pulled-within needs --logs FILE: ACR repository-event logs (ContainerRegistryRepositoryEvents)"
        )
    by_tag = {(item.repository, tag.name): tag.digest for item in contents for tag in item.tags}
    host = registry.casefold()
    reader = AuditLogReader()
    pulls: dict[str, datetime] = {}
    oldest: datetime | None = None
    for event in reader.events(list(paths)):
        if event.table is not AuditTable.REPOSITORY or event.operation.casefold() != "pull":
            continue
        if event.login_server and event.login_server.casefold() != host:
            continue
        oldest = event.time if oldest is None or event.time < oldest else oldest
        digest = event.digest or by_tag.get((event.repository, event.tag), "")
        if digest and now - event.time <= window and (digest not in pulls or event.time > pulls[digest]):
            pulls[digest] = event.time
    return pulls, _pull_notes(reader.summary().records, oldest, now - window, len(pulls))


def _pull_notes(records: Mapping[AuditTable, int], oldest: datetime | None, since: datetime, found: int) -> list[str]:
    notes = [
        f"pulls read from {records.get(AuditTable.REPOSITORY, 0)} repository-event records: {found} digests "
        f"pulled since {moment(since)}"
    ]
    if oldest is None or oldest > since:
        start = "no record" if oldest is None else f"the oldest record is from {moment(oldest)}"
        notes.append(f"the logs do not cover all of --pulled-within ({start}): older pulls could not be checked")
    return notes
