"""`acr purge`'s rules over one repository, exactly (the acr-cli purge command, read as documentation):

1. Tags: a tag is eligible when the tag expression matches it anywhere, its own last update is strictly before the
   cutoff (now − --ago), and it is neither delete- nor write-locked (unless --include-locked). Eligible tags are
   ordered newest first (ties by name); the first --keep of them stay, the rest go.
2. Manifests (--untagged): a manifest left without tags, or untagged already, goes when its last update is not
   after the cutoff (an unknown time keeps it), it is not locked (unless --include-locked), the registry gave its
   media type, and no index that stays (still tagged, or too recent) lists it, however deeply. Of these, ordered
   newest first (ties by digest), the first --keep stay too. (`acr purge` compares a tag with "before the cutoff"
   and a manifest with "not after" it; both are kept as it has them.)
3. Without --untagged, a manifest whose tags all go stays, untagged.

Two deliberate differences: referrers (a manifest with a `subject`, or a cosign `sha256-….sig` tag) are never
selected here: they go with their subject or stay with it (safety.py), where `acr purge` leaves them to ACR's
server-side cleanup. And a registry that cannot list untagged manifests (any registry but ACR) cannot hold a
manifest whose tags all went either: there the manifest is deleted with its tags, and --untagged adds the untagged
children of the indexes deleted.
"""

from __future__ import annotations

import re
from datetime import datetime

from regwarden.lifecycle.graph import INDEX_MEDIA_TYPES, Node, RepositoryGraph
from regwarden.lifecycle.selection import Selection, moment
from regwarden.model.purge import KeepKind, PurgeCriteria, TagListing

_WITH_TAGS = "this registry lists no untagged manifests, so the manifest goes with its tags"


def select_by_filter(
    graph: RepositoryGraph, tag_pattern: re.Pattern[str], criteria: PurgeCriteria, now: datetime
) -> Selection:
    return _AcrRules(graph, tag_pattern, criteria, now - criteria.ago).select()


class _AcrRules:
    def __init__(
        self, graph: RepositoryGraph, pattern: re.Pattern[str], criteria: PurgeCriteria, cutoff: datetime
    ) -> None:
        self.graph = graph
        self.pattern = pattern
        self.criteria = criteria
        self.cutoff = cutoff
        self.before = f"before the cutoff {moment(cutoff)}"
        self.selection = Selection(
            hold_labels={
                KeepKind.TAGGED: f"tags {pattern.pattern!r} does not match",
                KeepKind.RECENT: f"tags updated after the cutoff {moment(cutoff)}",
                KeepKind.LOCKED: "locked tags (deleteEnabled or writeEnabled false)",
                KeepKind.NO_TIME: "tags with no update time",
                KeepKind.KEEP: f"among the {criteria.keep} most recent selected tags (--keep {criteria.keep})",
            }
        )
        self.removed: dict[str, list[str]] = {}

    def select(self) -> Selection:
        graph, selection = self.graph, self.selection
        self._tag_stage()
        untagged: list[Node] = []
        for digest, node in graph.nodes.items():
            if graph.is_referrer(digest):
                continue
            tags, gone = graph.tags_of.get(digest, []), self.removed.get(digest, [])
            if gone:
                gone = sorted(gone) if len(gone) > 1 else gone
                selection.untag[digest] = gone
                names = ", ".join(gone)
                selection.untag_reasons[digest] = [
                    f"tags {names} match {self.pattern.pattern!r} and were last updated {self.before}"
                ]
            if len(gone) < len(tags) or (not tags and not graph.complete):
                continue
            if not graph.complete:
                selection.delete[digest] = [_WITH_TAGS]
            elif not self.criteria.untagged:
                state = "left without tags" if gone else "untagged"
                selection.kept(digest, KeepKind.UNTAGGED_LEFT, f"{state}; --untagged not given")
            elif self._untagged_eligible(node):
                untagged.append(node)
        if graph.complete:
            self._untagged_stage(untagged)
        elif self.criteria.untagged:
            self._children_of_deleted_indexes()
        return selection

    def _tag_stage(self) -> None:
        eligible: list[TagListing] = []
        for tag in self.graph.tags.values():
            kind = self._tag_hold(tag)
            if kind is None:
                eligible.append(tag)
            elif kind is not KeepKind.SUBJECT_KEPT:
                self.selection.tag_held(tag.digest, kind, tag.name)
        eligible.sort(key=lambda tag: (tag.last_updated, tag.name), reverse=True)
        keep = self.criteria.keep
        for tag in eligible[:keep]:
            self.selection.tag_held(tag.digest, KeepKind.KEEP, tag.name)
        for tag in eligible[keep:]:
            self.removed.setdefault(tag.digest, []).append(tag.name)

    def _tag_hold(self, tag: TagListing) -> KeepKind | None:
        """Why a tag is not eligible (None: it is). SUBJECT_KEPT marks a referrer's tag, decided with its subject."""
        if self.graph.is_referrer(tag.digest):
            return KeepKind.SUBJECT_KEPT
        if not self.pattern.search(tag.name):
            return KeepKind.TAGGED
        if tag.last_updated is None:
            return KeepKind.NO_TIME
        if not tag.last_updated < self.cutoff:
            return KeepKind.RECENT
        if tag.locked and not self.criteria.include_locked:
            return KeepKind.LOCKED
        return None

    def _untagged_eligible(self, node: Node) -> bool:
        digest, keep = node.digest, self.selection.kept
        if node.last_updated is None:
            keep(digest, KeepKind.NO_TIME, "untagged, and its last update time is unknown")
        elif node.last_updated > self.cutoff:
            keep(digest, KeepKind.RECENT, f"untagged, last updated {moment(node.last_updated)}, after the cutoff")
        elif node.locked and not self.criteria.include_locked:
            keep(digest, KeepKind.LOCKED, "untagged, but locked (deleteEnabled or writeEnabled false)")
        elif not node.listing.media_type:
            keep(digest, KeepKind.MEDIA_TYPE, "untagged, and the registry gave no media type")
        else:
            return True
        return False

    def _untagged_stage(self, untagged: list[Node]) -> None:
        candidates = {node.digest for node in untagged}
        staying = [d for d in self.graph.children if d not in candidates and not self._passed_over(d)]
        shielded = {child: index for index in staying for child in self.graph.descendants(index)}
        eligible = []
        for node in untagged:
            if node.digest in shielded:
                detail = f"a manifest of index {shielded[node.digest]}, which stays"
                self.selection.kept(node.digest, KeepKind.INDEX_CHILD, detail)
            else:
                eligible.append(node)
        eligible.sort(key=lambda node: node.digest)
        eligible.sort(key=lambda node: node.last_updated or self.cutoff, reverse=True)
        keep = self.criteria.keep
        for node in eligible[:keep]:
            detail = f"among the {keep} most recent untagged manifests (--keep {keep})"
            self.selection.kept(node.digest, KeepKind.KEEP, detail)
        for node in eligible[keep:]:
            was = "left without tags" if self.removed.get(node.digest) else "untagged"
            when = node.listing.last_updated or node.listing.created  # as the registry wrote it: no formatting
            self.selection.delete[node.digest] = [f"{was}, last updated {when}, {self.before} (--untagged)"]

    def _passed_over(self, digest: str) -> bool:
        """`acr purge` passes over a locked index, and an old untagged one with no media type, before looking at
        its children: it does not shield them (safety.py does)."""
        node = self.graph.nodes[digest]
        if node.locked and not self.criteria.include_locked:
            return True
        untagged_after = len(self.removed.get(digest, [])) == len(self.graph.tags_of.get(digest, []))
        old = node.last_updated is not None and node.last_updated <= self.cutoff
        return untagged_after and old and not node.listing.media_type

    def _children_of_deleted_indexes(self) -> None:
        graph, delete = self.graph, self.selection.delete
        for index in [d for d in delete if graph.nodes[d].listing.media_type in INDEX_MEDIA_TYPES]:
            for child in graph.descendants(index):
                if not graph.tags_of.get(child) and child not in delete and not graph.is_referrer(child):
                    delete[child] = [f"a manifest of deleted index {index}, left without tags (--untagged)"]
