"""Applying a purge plan: wave by wave, several actions at once, each journaled before and after it acts.

Per action: `started` → (archive the manifest: `archived`) → (unlock it: `unlocked`) → delete or untag → its
outcome. An action whose prerequisites (`after`: its referrers, the indexes listing it) were not all deleted is
skipped, so a failure never leaves a referrer without its subject or an index pointing at nothing. A manifest the
registry no longer has is `already-gone`, which is how a rerun after a kill finds the deletes the killed run made
but could not record. A failing action is recorded and the others go on; only the run's caller decides the exit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from typing import Protocol

from regwarden.lifecycle.journal import Journal
from regwarden.model.errors import RegwardenError
from regwarden.model.purge import ActionKind, ActionResult, Outcome, PurgeAction


class PurgeTarget(Protocol):
    """The registry side of an apply."""

    def delete_manifest(self, repository: str, digest: str) -> bool:
        """Delete by digest; False when the registry no longer had it."""
        ...

    def delete_tag(self, repository: str, tag: str) -> bool:
        """Remove one tag, keeping its manifest; False when the registry no longer had it."""
        ...

    def unlock(self, action: PurgeAction) -> None:
        """Enable delete and write on the manifest (for a deletion) and on the action's tags."""
        ...


class Archiver(Protocol):
    def archive(self, action: PurgeAction) -> str:
        """Copy the manifest and all it needs somewhere safe; where."""
        ...


class ApplyProgress(Protocol):
    def total(self, count: int) -> None: ...

    def done(self, result: ActionResult) -> None: ...


class QuietApplyProgress:
    def total(self, count: int) -> None:
        pass

    def done(self, result: ActionResult) -> None:
        pass


def apply_actions(
    actions: Sequence[PurgeAction],
    target: PurgeTarget,
    journal: Journal,
    *,
    archiver: Archiver | None = None,
    workers: int = 8,
    progress: ApplyProgress | None = None,
    gone: set[str] | None = None,
) -> list[ActionResult]:
    """Apply `actions` (already journaled as planned) in wave order; one result per action. `gone`: digests already
    deleted (by the run this one resumes), which later actions may follow."""
    tracker = progress or QuietApplyProgress()
    tracker.total(len(actions))
    runner = _Runner(target, journal, archiver, tracker)
    runner.gone |= gone or set()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for wave in _waves(actions):
            list(pool.map(runner.run, wave))
    return runner.results


class _Runner:
    def __init__(
        self, target: PurgeTarget, journal: Journal, archiver: Archiver | None, progress: ApplyProgress
    ) -> None:
        self.target = target
        self.journal = journal
        self.archiver = archiver
        self.progress = progress
        self.results: list[ActionResult] = []
        self.gone: set[str] = set()
        """Digests deleted (or found gone) so far: what later waves may follow."""
        self._lock = threading.Lock()

    def run(self, action: PurgeAction) -> None:
        blocked = [digest for digest in action.after if digest not in self.gone]
        if blocked:
            result = ActionResult(action, Outcome.SKIPPED, f"not deleted: {blocked[0]} had to go first and did not")
        else:
            result = self._act(action)
        self.journal.record(result.outcome.value, action, result.detail)
        with self._lock:
            self.results.append(result)
            if result.outcome in (Outcome.DELETED, Outcome.ALREADY_GONE) and action.kind is ActionKind.DELETE:
                self.gone.add(action.digest)
        self.progress.done(result)

    def _act(self, action: PurgeAction) -> ActionResult:
        self.journal.record("started", action)
        archived = None
        try:
            if self.archiver is not None and action.kind is ActionKind.DELETE:
                archived = self.archiver.archive(action)
                self.journal.record("archived", action, archived)
            if action.unlock:
                self.target.unlock(action)
                self.journal.record("unlocked", action)
            return ActionResult(action, self._change(action), archived=archived)
        except RegwardenError as error:
            return ActionResult(action, Outcome.FAILED, str(error), archived)

    def _change(self, action: PurgeAction) -> Outcome:
        if action.kind is ActionKind.DELETE:
            deleted = self.target.delete_manifest(action.repository, action.digest)
            return Outcome.DELETED if deleted else Outcome.ALREADY_GONE
        removed = [self.target.delete_tag(action.repository, tag) for tag in action.tags]
        return Outcome.UNTAGGED if any(removed) else Outcome.ALREADY_GONE


def _waves(actions: Sequence[PurgeAction]) -> Iterator[list[PurgeAction]]:
    """The actions grouped by wave, lowest first: a wave starts when the one before it has ended."""
    ordered = sorted(actions, key=lambda action: action.wave)
    for _, group in groupby(ordered, key=lambda action: action.wave):
        yield list(group)
