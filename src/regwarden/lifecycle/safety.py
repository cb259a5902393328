"""The safety pass: what the rules selected, minus everything that must stay. This is the product's promise.

Whatever rules made the selection (`acr purge`'s flags or a retention policy), a manifest is never deleted when:
- it runs in a synced cluster, or was pulled within --pulled-within, or what it links to could not be read (nor is
  an index whose manifests do; nor are the tags of either removed);
- it, or one of its tags, is locked (deleteEnabled or writeEnabled false), unless --include-locked;
- an index that stays lists it (directly or through nested indexes), whatever keeps that index;
- it is a referrer (signature, SBOM, attestation) whose subject stays; or a subject one of whose referrers must stay.
Referrers of a deleted manifest are deleted with it. Holding one manifest back can hold others (its children, its
subject, its referrers), so the pass runs until nothing changes; it only ever removes deletions, never adds any but
referrers of what is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator

from regwarden.lifecycle.graph import RepositoryGraph
from regwarden.lifecycle.selection import Selection, moment
from regwarden.model.purge import KeepKind, KeepReason, Protections


def hold_back(
    graph: RepositoryGraph, selection: Selection, protections: Protections, *, include_locked: bool
) -> dict[str, str]:
    """Apply the safety rules to `selection` in place; returns referrer digest → the subject it goes with, for
    the referrers added, and records why each held manifest stays. `selection.held` lists them."""
    checker = _Checker(graph, selection, protections, include_locked)
    checker.spare_pinned_tags()
    goes_with = checker.add_referrers()
    checker.settle()
    return {referrer: subject for referrer, subject in goes_with.items() if referrer in selection.delete}


class _Checker:
    def __init__(
        self, graph: RepositoryGraph, selection: Selection, protections: Protections, include_locked: bool
    ) -> None:
        self.graph = graph
        self.selection = selection
        self.protections = protections
        self.include_locked = include_locked

    def spare_pinned_tags(self) -> None:
        for digest in list(self.selection.untag):
            reasons = list(self._pins(digest))
            if reasons:
                self.selection.untag.pop(digest)
                self.selection.untag_reasons.pop(digest, None)
                self._hold(digest, reasons)

    def add_referrers(self) -> dict[str, str]:
        goes_with: dict[str, str] = {}
        for subject in list(self.selection.delete):
            for referrer in self.graph.referrer_closure(subject):
                if referrer not in self.selection.delete:
                    direct = self.graph.subject_of[referrer]
                    self.selection.delete[referrer] = [f"a referrer of {direct}, deleted with it"]
                    goes_with[referrer] = direct
        return goes_with

    def settle(self) -> None:
        """Check every deletion once, then again only those a held-back manifest can affect (its children, its
        referrers, its subject), until none is left to check."""
        outside = {*self.protections.running, *self.protections.pulled, *self.protections.unreadable}
        pending = [d for d in self.selection.delete if d in self.graph.linked or d in outside]
        while pending:
            digest = pending.pop()
            if digest not in self.selection.delete:
                continue
            reasons = list(self._why_stay(digest))
            if reasons:
                self.selection.drop(digest)
                self._hold(digest, reasons)
                pending.extend(self._neighbours(digest))

    def _neighbours(self, digest: str) -> list[str]:
        graph = self.graph
        subject = graph.subject_of.get(digest)
        return [*graph.children.get(digest, ()), *graph.referrers.get(digest, ()), *([subject] if subject else [])]

    def _hold(self, digest: str, reasons: list[KeepReason]) -> None:
        self.selection.held.add(digest)
        known = self.selection.keep.setdefault(digest, [])
        known.extend(reason for reason in reasons if reason not in known)

    def _why_stay(self, digest: str) -> Iterator[KeepReason]:
        yield from self._pins(digest)
        node = self.graph.nodes[digest]
        if node.locked and not self.include_locked:
            yield KeepReason(KeepKind.LOCKED, "locked (deleteEnabled or writeEnabled false)")
        tagged_locked = digest in self.graph.locked_tags and not self.include_locked
        locked_tags = [t for t in self.graph.tags_of[digest] if self._locked(t)] if tagged_locked else []
        if locked_tags:
            yield KeepReason(KeepKind.LOCKED, f"locked tags: {', '.join(sorted(locked_tags))}")
        for parent in self.graph.parents.get(digest, ()):
            if parent not in self.selection.delete:
                yield KeepReason(KeepKind.INDEX_CHILD, f"a manifest of index {parent}, which stays")
        subject = self.graph.subject_of.get(digest)
        if subject is not None and subject not in self.selection.delete:
            kind = KeepKind.SUBJECT_KEPT if subject in self.graph.nodes else KeepKind.SUBJECT_MISSING
            yield KeepReason(kind, f"a referrer of {subject}, which stays")
        for referrer in self.graph.referrers.get(digest, ()):
            if referrer not in self.selection.delete:
                yield KeepReason(KeepKind.REFERRER_PROTECTED, f"its referrer {referrer} must stay")

    def _locked(self, tag: str) -> bool:
        return self.graph.tags[tag].locked

    def _pins(self, digest: str) -> Iterator[KeepReason]:
        """Running or recently pulled: the manifest itself, or (for an index) any manifest it lists."""
        listed = self.graph.descendants(digest) if digest in self.graph.children else ()
        for found in (digest, *listed):
            via = "" if found == digest else f"its manifest {found} "
            for workload in self.protections.running.get(found, ()):
                yield KeepReason(KeepKind.RUNNING, f"{via}runs in {workload}")
            pulled = self.protections.pulled.get(found)
            if pulled is not None:
                yield KeepReason(KeepKind.PULLED, f"{via}was pulled at {moment(pulled)}, within --pulled-within")
            unreadable = self.protections.unreadable.get(found)
            if unreadable is not None:
                yield KeepReason(KeepKind.UNREADABLE, f"{via}could not be read: {unreadable}")
