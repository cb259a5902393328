"""Property tests of the planner over random registries: tag histories, locks, index trees, referrer chains, running
and pulled sets, and random `acr purge` flags.

- The rules alone select exactly what the independent `acr purge` model (acr_reference.py) deletes.
- A plan never deletes or untags a running or pulled digest (nor an index one of whose manifests is), never deletes
  a locked manifest or removes a locked tag without --include-locked, never deletes a manifest an index that stays
  lists, never deletes a referrer whose subject stays and never keeps one whose subject goes.
- --keep is exact: the N most recent eligible tags are never removed, and without protections exactly the rest are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regwarden.lifecycle.acr_rules import select_by_filter
from regwarden.lifecycle.graph import RepositoryGraph
from regwarden.lifecycle.plan import plan_purge
from regwarden.model.catalog import ManifestListing
from regwarden.model.purge import ActionKind, Protections, PurgeCriteria, PurgePlan, RepositoryContents, TagListing
from tests.lifecycle.acr_reference import acr_purge
from tests.lifecycle.builders import DOCKER_MANIFEST, NOW, OCI_INDEX, OCI_MANIFEST, at, digest

TAG_NAMES = ("1.0", "1.1", "v2", "v2.1", "dev-7", "dev-8", "latest", "stable", "pr-3", "x")
TAG_REGEXES = (".*", "^v", "1", "dev|latest", "^$", r"\.1$", "^(?:stable|x)$")
AGES = st.one_of(st.none(), st.integers(0, 40), st.integers(0, 40 * 24).map(lambda hours: hours / 24))
"""Days before NOW: often whole days, so that equal times (and the tie rules) come up."""
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    contents: RepositoryContents
    criteria: PurgeCriteria
    protections: Protections


@st.composite
def repositories(draw: st.DrawFn, *, referrers: bool, complete: bool | None = None) -> RepositoryContents:
    count = draw(st.integers(1, 12))
    labels = [f"m{n}" for n in range(count)]
    listings, tags = [], []
    free_tags = list(TAG_NAMES)
    subjects: dict[str, str] = {}
    for position, label in enumerate(labels):
        later = labels[position + 1 :]
        children = draw(st.lists(st.sampled_from(later[:4]), max_size=3, unique=True)) if later else []
        kind = OCI_INDEX if children else draw(st.sampled_from((OCI_MANIFEST, OCI_MANIFEST, DOCKER_MANIFEST, "")))
        age = draw(AGES)
        names = draw(st.lists(st.sampled_from(free_tags), max_size=3, unique=True)) if free_tags else []
        free_tags = [name for name in free_tags if name not in names]
        for name in names:
            tag_age = draw(AGES)
            tag_locked = draw(st.sampled_from((None, None, None, "delete", "write")))
            tags.append(TagListing(name, digest(label), at(tag_age), tag_locked != "delete", tag_locked != "write"))
        if referrers and position and draw(st.booleans()):
            subjects[digest(label)] = digest(draw(st.sampled_from(labels[:position])))
        moment = at(age)
        stamp = None if moment is None else moment.isoformat()
        locked = draw(st.sampled_from((False, False, False, True)))
        listings.append(
            ManifestListing(
                "web",
                digest(label),
                tuple(sorted(names)),
                kind,
                stamp,
                stamp,
                references=tuple(digest(child) for child in children),
                delete_enabled=not locked,
                write_enabled=True,
            )
        )
    is_complete = draw(st.booleans()) if complete is None else complete
    return RepositoryContents("web", tuple(listings), tuple(tags), is_complete, subjects)


@st.composite
def criteria(draw: st.DrawFn) -> PurgeCriteria:
    return PurgeCriteria(
        filters=(f"web:{draw(st.sampled_from(TAG_REGEXES))}",),
        ago=timedelta(days=draw(st.sampled_from((0, 1, 7, 30)))),
        keep=draw(st.integers(0, 3)),
        untagged=draw(st.booleans()),
        include_locked=draw(st.booleans()),
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    contents = draw(repositories(referrers=True))
    digests = [m.digest for m in contents.manifests]
    running = draw(st.lists(st.sampled_from(digests), max_size=3, unique=True))
    pulled = draw(st.lists(st.sampled_from(digests), max_size=2, unique=True))
    protections = Protections(
        running=dict.fromkeys(running, ("aks/shop/Deployment/web",)),
        pulled={d: NOW - timedelta(hours=1) for d in pulled},
    )
    return Case(contents, draw(criteria()), protections)


def plan_of(case: Case) -> PurgePlan:
    return plan_purge("fake.azurecr.io", [case.contents], case.criteria, case.protections, NOW)


@SETTINGS
@given(contents=repositories(referrers=False, complete=True), chosen=criteria())
def test_the_rules_select_exactly_what_acr_purge_deletes(contents: RepositoryContents, chosen: PurgeCriteria) -> None:
    graph = RepositoryGraph(contents)
    tag_regex = chosen.filters[0].split(":", 1)[1]
    selection = select_by_filter(graph, re.compile(tag_regex), chosen, NOW)
    expected = acr_purge(contents, tag_regex, NOW - chosen.ago, chosen.keep, chosen.untagged, chosen.include_locked)
    assert {(d, tag) for d, tags in selection.untag.items() for tag in tags} == expected.tags
    assert set(selection.delete) == expected.manifests


@SETTINGS
@given(case=cases())
def test_a_plan_never_touches_what_runs_or_was_pulled(case: Case) -> None:
    graph = RepositoryGraph(case.contents)
    pinned = set(case.protections.running) | set(case.protections.pulled)
    for action in plan_of(case).actions:
        assert not ({action.digest, *graph.descendants(action.digest)} & pinned), action


@SETTINGS
@given(case=cases())
def test_a_plan_never_deletes_or_untags_what_is_locked_unless_told(case: Case) -> None:
    graph = RepositoryGraph(case.contents)
    for action in plan_of(case).actions:
        if case.criteria.include_locked:
            assert action.unlock == (
                (action.kind is ActionKind.DELETE and graph.nodes[action.digest].locked)
                or any(graph.tags[tag].locked for tag in action.tags)
            )
            continue
        assert not any(graph.tags[tag].locked for tag in action.tags), action
        assert action.kind is ActionKind.UNTAG or not graph.nodes[action.digest].locked, action


@SETTINGS
@given(case=cases())
def test_a_plan_keeps_indexes_whole_and_referrers_with_their_subjects(case: Case) -> None:
    graph = RepositoryGraph(case.contents)
    result = plan_of(case)
    gone = {a.digest for a in result.actions if a.kind is ActionKind.DELETE}
    for digest_ in gone:
        assert all(parent in gone for parent in graph.parents.get(digest_, ())), "a kept index lists it"
        subject = graph.subject_of.get(digest_)
        assert subject is None or subject in gone, "its subject stays"
        assert all(referrer in gone for referrer in graph.referrers.get(digest_, ())), "a referrer is orphaned"
    assert sorted([*gone, *(k.digest for k in result.kept)]) == sorted(graph.nodes), "each manifest once"
    assert all(a.digest not in gone for a in result.actions if a.kind is ActionKind.UNTAG)


@SETTINGS
@given(case=cases())
def test_keep_keeps_exactly_the_most_recent_eligible_tags(case: Case) -> None:
    chosen = case.criteria
    eligible = _eligible_tags(case.contents, chosen)
    removed = {(a.digest, tag) for a in plan_of(case).actions for tag in a.tags}
    assert not (set(eligible[: chosen.keep]) & removed)
    if not case.contents.subjects:
        plain = Case(case.contents, chosen, Protections())
        removed_plain = {(a.digest, tag) for a in plan_of(plain).actions for tag in a.tags}
        graph = RepositoryGraph(case.contents)
        held_back = {(d, t) for d in _held_by_index_or_lock(plain, graph) for t in graph.tags_of.get(d, ())}
        assert removed_plain | held_back >= set(eligible[chosen.keep :])
        assert removed_plain <= set(eligible[chosen.keep :])


def _eligible_tags(contents: RepositoryContents, chosen: PurgeCriteria) -> list[tuple[str, str]]:
    pattern = re.compile(chosen.filters[0].split(":", 1)[1])
    cutoff = NOW - chosen.ago
    subjects = set(contents.subjects)
    found = [
        tag
        for tag in contents.tags
        if tag.digest not in subjects
        and pattern.search(tag.name)
        and tag.last_updated is not None
        and tag.last_updated < cutoff
        and (chosen.include_locked or not tag.locked)
    ]
    found.sort(key=lambda tag: (tag.last_updated, tag.name), reverse=True)
    return [(tag.digest, tag.name) for tag in found]


def _held_by_index_or_lock(case: Case, graph: RepositoryGraph) -> set[str]:
    """Digests whose tags a registry without untagged listings cannot remove alone and the safety pass kept."""
    result = plan_of(case)
    return {k.digest for k in result.kept if k.held}
