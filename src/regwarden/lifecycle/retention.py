"""A retention policy over one repository: what its rules retain, and what they leave to delete (policy.py says the
rules). Push times are the manifests' own (`createdTime` on ACR; the image's `created` elsewhere); a rule that needs
a time it cannot read retains the manifest rather than guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from regwarden.lifecycle.graph import Node, RepositoryGraph
from regwarden.lifecycle.policy import RetentionRule
from regwarden.lifecycle.selection import Selection, moment
from regwarden.model.purge import KeepKind


def select_by_policy(
    graph: RepositoryGraph,
    rules: Sequence[RetentionRule],
    pulls: Mapping[str, datetime],
    now: datetime,
) -> Selection:
    """`rules` are those that apply to this repository (at least one)."""
    selection = Selection()
    nodes = [node for digest, node in graph.nodes.items() if not graph.is_referrer(digest)]
    for rule in rules:
        looked = _looked_at(graph, rule, nodes)
        for node, why in _retained(graph, rule, looked, pulls, now):
            selection.kept(node.digest, KeepKind.NO_TIME if why is None else KeepKind.RETAINED, why or _no_time(rule))
    untagged_in_scope = any(rule.untagged for rule in rules)
    applying = ", ".join(str(rule.number) for rule in rules)
    for node in nodes:
        if node.digest in selection.keep:
            continue
        if graph.tags_of.get(node.digest) or untagged_in_scope:
            state = "tagged" if graph.tags_of.get(node.digest) else "untagged"
            selection.delete[node.digest] = [f"{state}, and no rule retains it (rules {applying} apply here)"]
        else:
            selection.kept(node.digest, KeepKind.UNTAGGED_LEFT, "untagged; no rule here looks at untagged manifests")
    return selection


def _looked_at(graph: RepositoryGraph, rule: RetentionRule, nodes: list[Node]) -> list[Node]:
    """The manifests a rule looks at: some tag matches its tag globs (or, with `untagged`, no tag at all)."""
    matched = {tag.digest for tag in graph.tags.values() if rule.looks_at_tag(tag.name)}
    return [node for node in nodes if node.digest in matched or (rule.untagged and node.digest not in graph.tags_of)]


def _retained(
    graph: RepositoryGraph,
    rule: RetentionRule,
    looked: list[Node],
    pulls: Mapping[str, datetime],
    now: datetime,
) -> list[tuple[Node, str | None]]:
    """(node, why) for each node the rule retains; why is None when the rule needed a time it could not read."""
    retain, name = rule.retain, rule.describe()
    if retain.kind == "always":
        return [(node, f"retained by {name}") for node in looked]
    if retain.kind == "pulled_within":
        return [
            (node, f"retained by {name}: pulled at {moment(last)}")
            for node in looked
            if (last := _last_pull(graph, node, pulls)) is not None and now - last <= retain.within
        ]
    unknown = [(node, None) for node in looked if node.created is None]
    timed = sorted((node for node in looked if node.created is not None), key=lambda node: node.digest)
    timed.sort(key=lambda node: node.created or now, reverse=True)
    if retain.kind == "latest_pushed":
        chosen = timed[: retain.count]
    else:
        chosen = [node for node in timed if node.created is not None and now - node.created <= retain.within]
    return [*unknown, *((node, f"retained by {name}: pushed {moment(node.created)}") for node in chosen)]


def _last_pull(graph: RepositoryGraph, node: Node, pulls: Mapping[str, datetime]) -> datetime | None:
    """The last pull of the manifest, or of any manifest of the index it is."""
    found = [pulls[digest] for digest in (node.digest, *graph.descendants(node.digest)) if digest in pulls]
    return max(found) if found else None


def _no_time(rule: RetentionRule) -> str:
    return f"its push time is unknown, so {rule.describe()} cannot tell: kept"
