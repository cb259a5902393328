"""`purge --apply`: carry a plan out against the registry, journaled, resuming an interrupted run.

Order: read the journal; when the last run on this registry did not finish, take up its pending actions: those the
fresh plan selects again are done with it; a deletion the fresh listing cannot see (a plain registry does not list
untagged manifests) is done too when the registry still has it and nothing protects it now, and recorded as already
gone when the registry does not; one the fresh plan sees and keeps stays. Then journal the actions, apply them wave by
wave (lifecycle/apply.py), archiving each manifest first with --archive, and record the deletions in the inventory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.lifecycle.apply import ApplyProgress, Archiver, apply_actions
from regwarden.lifecycle.journal import Journal, RunState, action_key, interrupted_run, read_runs
from regwarden.model.errors import NotFoundError
from regwarden.model.purge import ActionKind, ActionResult, ApplyReport, Outcome, PurgeAction
from regwarden.oci.acr_attributes import (
    delete_acr_tag,
    delete_tag_reference,
    set_manifest_attributes,
    set_tag_attributes,
)
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.service.purge_protections import running_digests

if TYPE_CHECKING:
    from regwarden.service.purge import PlannedPurge
    from regwarden.store import Store

UNLOCKED = {"deleteEnabled": True, "writeEnabled": True}


@dataclass(frozen=True)
class ApplyOptions:
    journal: Path | None = None
    """Default: `purge-journal/<registry>.jsonl` beside the default database, in the user's data dir."""
    archive: Path | None = None
    workers: int = 8


def default_journal(registry: str) -> Path:
    from regwarden.store.engine import default_sqlite_path

    safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in registry)
    return default_sqlite_path().parent / "purge-journal" / f"{safe}.jsonl"


def apply_plan(
    store: Store, planned: PlannedPurge, options: ApplyOptions, *, progress: ApplyProgress | None = None
) -> ApplyReport:
    plan, client = planned.plan, planned.reader.client
    path = options.journal or default_journal(plan.registry)
    previous = interrupted_run(read_runs(path), plan.registry)
    carried, resolved = _take_up(previous, planned, store) if previous else ([], [])
    actions = [*plan.actions, *carried]
    archiver: Archiver | None = None
    if options.archive is not None:
        from regwarden.lifecycle.archive import LayoutArchive

        archiver = LayoutArchive(options.archive, client)
    started = time.perf_counter()
    with Journal(path) as journal:
        journal.begin(plan, actions, resumes=previous.run_id if previous else None)
        for action, outcome, detail in resolved:
            journal.record(outcome.value, action, detail)
        target = RegistryTarget(client, planned.reader.acr)
        gone = {a.digest for a, outcome, _ in resolved if outcome is Outcome.ALREADY_GONE}
        if previous is not None:
            gone |= _done_before(previous)
        results = apply_actions(
            actions, target, journal, archiver=archiver, workers=options.workers, progress=progress, gone=gone
        )
        journal.finish({outcome.value: sum(1 for r in results if r.outcome is outcome) for outcome in Outcome})
    seconds = time.perf_counter() - started
    _record_in_inventory(store, plan.registry, results)
    return ApplyReport(
        plan=plan,
        results=tuple(results),
        journal=str(path),
        run_id=journal.run_id,
        resumed=previous.run_id if previous else None,
        seconds=seconds,
    )


class RegistryTarget:
    """Deletes through the registry's API: manifests by digest; tags with ACR's untag, else the spec's tag delete."""

    def __init__(self, client: RegistryClient, acr: bool) -> None:
        self.client = client
        self.acr = acr

    def delete_manifest(self, repository: str, digest: str) -> bool:
        try:
            self.client.delete_manifest(repository, digest)
        except ManifestNotFoundError:
            return False
        return True

    def delete_tag(self, repository: str, tag: str) -> bool:
        try:
            if self.acr:
                delete_acr_tag(self.client, repository, tag)
            else:
                delete_tag_reference(self.client, repository, tag)
        except NotFoundError:
            return False
        return True

    def unlock(self, action: PurgeAction) -> None:
        if not self.acr:
            return
        if action.kind is ActionKind.DELETE:
            set_manifest_attributes(self.client, action.repository, action.digest, UNLOCKED)
        for tag in action.tags:
            set_tag_attributes(self.client, action.repository, tag, UNLOCKED)

    def exists(self, repository: str, digest: str) -> bool:
        try:
            self.client.head_manifest(repository, digest)
        except ManifestNotFoundError:
            return False
        return True


def _take_up(
    previous: RunState, planned: PlannedPurge, store: Store
) -> tuple[list[PurgeAction], list[tuple[PurgeAction, Outcome, str]]]:
    """The interrupted run's pending deletions the fresh plan cannot see: carried over, or resolved as gone."""
    plan = planned.plan
    selected = {action_key(action) for action in plan.actions}
    seen = {(k.repository, k.digest) for k in plan.kept} | {(a.repository, a.digest) for a in plan.actions}
    unseen = [
        action
        for action in previous.pending()
        if action_key(action) not in selected
        and (action.repository, action.digest) not in seen
        and action.kind is ActionKind.DELETE
    ]
    running, _ = running_digests(store, [action.digest for action in unseen])
    target = RegistryTarget(planned.reader.client, planned.reader.acr)
    carried: list[PurgeAction] = []
    resolved: list[tuple[PurgeAction, Outcome, str]] = []
    note = f"taken up from interrupted run {previous.run_id}"
    for action in unseen:
        if action.digest in running or action.digest in planned.protections.pulled:
            resolved.append((action, Outcome.SKIPPED, f"{note}: it runs or was pulled since, so it stays"))
        elif not target.exists(action.repository, action.digest):
            resolved.append((action, Outcome.ALREADY_GONE, f"{note}: the registry no longer has it"))
        else:
            carried.append(replace(action, reasons=(f"{note}:", *action.reasons)))
    return carried, resolved


def _done_before(previous: RunState) -> set[str]:
    return {key[2] for key, outcome in previous.outcomes.items() if outcome in (Outcome.DELETED, Outcome.ALREADY_GONE)}


def _record_in_inventory(store: Store, registry: str, results: list[ActionResult]) -> None:
    """Deleted manifests and removed tags end in the inventory, where it knows the repository."""
    done = [r for r in results if r.outcome in (Outcome.DELETED, Outcome.UNTAGGED, Outcome.ALREADY_GONE)]
    places = store.impact.places({r.action.digest for r in done})
    for result in done:
        action = result.action
        known = any(p.registry == registry and p.repository == action.repository for p in places.get(action.digest, []))
        if not known:
            continue
        repository_id = store.locations.repository_id(registry, action.repository)
        if action.kind is ActionKind.DELETE:
            store.locations.record_deletion(repository_id, digest=action.digest, tag=None)
        else:
            for tag in action.tags:
                store.locations.record_deletion(repository_id, digest=None, tag=tag)
