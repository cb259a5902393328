"""Purge plans, pure: repository contents + rules + protections in, a `PurgePlan` out (no I/O, no clock).

Order per repository: build its graph, let the rules select (`acr_rules` for `--filter`, `retention` for a
policy), hold back what must stay (`safety`), then write the actions (referrers before their subject, an index before
the manifests it lists) and one entry per kept manifest with every reason it stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter

from regwarden.durations import format_duration
from regwarden.gc_pause import cyclic_gc_paused
from regwarden.lifecycle.acr_rules import select_by_filter
from regwarden.lifecycle.filters import parse_filter, select_repositories
from regwarden.lifecycle.graph import RepositoryGraph
from regwarden.lifecycle.policy import RetentionPolicy
from regwarden.lifecycle.retention import select_by_policy
from regwarden.lifecycle.safety import hold_back
from regwarden.lifecycle.selection import Selection
from regwarden.model.purge import (
    ActionKind,
    KeepKind,
    KeepReason,
    KeptManifest,
    Protections,
    PurgeAction,
    PurgeCriteria,
    PurgePlan,
    RepositoryContents,
)

Criteria = tuple[tuple[str, str], ...]


def plan_purge(
    registry: str,
    contents: Sequence[RepositoryContents],
    criteria: PurgeCriteria,
    protections: Protections,
    now: datetime,
    *,
    notes: Sequence[str] = (),
    extra: Criteria = (),
) -> PurgePlan:
    """`acr purge`'s rules (`--filter`, `--ago`, `--keep`, `--untagged`, `--include-locked`) plus the safety pass."""
    filters = [parse_filter(text) for text in criteria.filters]
    by_name = {item.repository: item for item in contents}
    builder = _PlanBuilder()
    with cyclic_gc_paused():  # hundreds of thousands of small acyclic objects; see gc_pause
        for chosen in select_repositories(filters, by_name):
            graph = RepositoryGraph(by_name[chosen.repository])
            selection = select_by_filter(graph, chosen.tag_pattern, criteria, now)
            held = hold_back(graph, selection, protections, include_locked=criteria.include_locked)
            builder.add(graph, selection, held)
    shown: Criteria = (
        *(("filter", text) for text in criteria.filters),
        ("ago", format_duration(criteria.ago)),
        ("keep", str(criteria.keep)),
        ("untagged", str(criteria.untagged).lower()),
        ("include-locked", str(criteria.include_locked).lower()),
        *extra,
    )
    return builder.plan(registry, "filter", shown, now, notes)


def plan_retention(
    registry: str,
    contents: Sequence[RepositoryContents],
    policy: RetentionPolicy,
    protections: Protections,
    now: datetime,
    *,
    pulls: Mapping[str, datetime] | None = None,
    include_locked: bool = False,
    notes: Sequence[str] = (),
    extra: Criteria = (),
) -> PurgePlan:
    """A retention policy's rules plus the same safety pass; repositories no rule names are left out."""
    builder = _PlanBuilder()
    with cyclic_gc_paused():
        for item in sorted(contents, key=lambda item: item.repository):
            rules = [rule for rule in policy.rules if rule.applies_to(item.repository)]
            if rules:
                graph = RepositoryGraph(item)
                selection = select_by_policy(graph, rules, pulls or {}, now)
                builder.add(graph, selection, hold_back(graph, selection, protections, include_locked=include_locked))
    shown: Criteria = (("policy", policy.source), ("include-locked", str(include_locked).lower()), *extra)
    return builder.plan(registry, "policy", shown, now, notes)


class _PlanBuilder:
    def __init__(self) -> None:
        self.repositories: list[str] = []
        self.actions: list[PurgeAction] = []
        self.kept: list[KeptManifest] = []

    def add(self, graph: RepositoryGraph, selection: Selection, goes_with: Mapping[str, str]) -> None:
        self.repositories.append(graph.repository)
        waves = _Waves(graph, selection.delete)
        for digest, reasons in selection.delete.items():
            self.actions.append(_deletion(graph, selection, digest, reasons, goes_with.get(digest), waves))
        for digest, tags in selection.untag.items():
            if digest not in selection.delete:
                self.actions.append(_untagging(graph, selection, digest, tags))
        for digest in graph.nodes:
            if digest not in selection.delete:
                self.kept.append(_kept(graph, selection, digest))

    def plan(self, registry: str, mode: str, criteria: Criteria, now: datetime, notes: Sequence[str]) -> PurgePlan:
        return PurgePlan(
            registry=registry,
            mode=mode,
            criteria=criteria,
            generated_at=now,
            repositories=tuple(self.repositories),
            actions=tuple(sorted(self.actions, key=attrgetter("wave", "repository", "kind", "digest"))),
            kept=tuple(self.kept),
            notes=tuple(notes),
        )


def _deletion(
    graph: RepositoryGraph,
    selection: Selection,
    digest: str,
    reasons: list[str],
    subject: str | None,
    waves: _Waves,
) -> PurgeAction:
    tags = tuple(graph.tags_of.get(digest, ()))
    unlock = graph.nodes[digest].locked or digest in graph.locked_tags
    return PurgeAction(
        kind=ActionKind.DELETE,
        repository=graph.repository,
        digest=digest,
        tags=tags,
        reasons=(*selection.untag_reasons.get(digest, ()), *reasons),
        media_type=graph.nodes[digest].listing.media_type,
        unlock=unlock,
        goes_with=subject,
        wave=waves.of(digest),
        after=waves.after(digest) if digest in graph.referrers or digest in graph.parents else (),
    )


def _untagging(graph: RepositoryGraph, selection: Selection, digest: str, tags: list[str]) -> PurgeAction:
    return PurgeAction(
        kind=ActionKind.UNTAG,
        repository=graph.repository,
        digest=digest,
        tags=tuple(tags),
        reasons=tuple(selection.untag_reasons.get(digest, ())),
        media_type=graph.nodes[digest].listing.media_type,
        unlock=any(graph.tags[tag].locked for tag in tags),
    )


def _kept(graph: RepositoryGraph, selection: Selection, digest: str) -> KeptManifest:
    reasons = [*selection.keep.get(digest, ()), *selection.tag_reasons(digest)]
    subject = graph.subject_of.get(digest)
    if subject is not None and not reasons:
        kind = KeepKind.SUBJECT_KEPT if subject in graph.nodes else KeepKind.SUBJECT_MISSING
        reasons = [KeepReason(kind, f"a referrer of {subject}, which stays")]
    if not reasons:
        reasons = [KeepReason(KeepKind.TAGGED, "not selected")]
    return KeptManifest(
        repository=graph.repository,
        digest=digest,
        tags=tuple(graph.tags_of.get(digest, ())),
        reasons=tuple(reasons),
        held=digest in selection.held,
    )


class _Waves:
    """Apply order within a plan: a manifest after its referrers (so an interrupted apply never leaves a referrer
    without its subject) and after the indexes that list it (so an index never points at deleted manifests). The
    wave is the length of the longest such chain before it."""

    def __init__(self, graph: RepositoryGraph, deleted: Mapping[str, object]) -> None:
        self.graph = graph
        self.deleted = deleted
        self.memo: dict[str, int] = {}

    def of(self, digest: str, depth: int = 0) -> int:
        if digest in self.memo:
            return self.memo[digest]
        if digest not in self.graph.referrers and digest not in self.graph.parents:
            return 0
        if depth > len(self.deleted):
            return 0  # a cycle (a hostile graph): any order will do
        wave = max((self.of(before, depth + 1) + 1 for before in self.after(digest)), default=0)
        self.memo[digest] = wave
        return wave

    def after(self, digest: str) -> tuple[str, ...]:
        """The deletions that must succeed before this one: its referrers, and the indexes that list it."""
        referrers = [r for r in self.graph.referrers.get(digest, ()) if r in self.deleted]
        parents = [p for p in self.graph.parents.get(digest, ()) if p in self.deleted]
        return tuple(sorted({*referrers, *parents}))
