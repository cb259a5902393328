"""Advisories that describe the same vulnerability (they name each other in `id`/`aliases`) grouped into one.

A DSA and its CVE, or a GHSA, a PYSEC and their CVE, matched against the same package, become one finding. Grouping
is transitive: GHSA -> CVE <- PYSEC puts all three together even when the GHSA and PYSEC never name each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from regwarden.model.advisory import Advisory

_CVE = re.compile(r"^CVE-(\d{4})-(\d+)$")


def group_aliases(advisories: Sequence[Advisory]) -> list[list[Advisory]]:
    """Advisories partitioned by shared ids, each group in input order; groups ordered by first appearance."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for advisory in advisories:
        for other in advisory.aliases:
            parent[find(other)] = find(advisory.id)
    groups: dict[str, list[Advisory]] = {}
    for advisory in advisories:
        groups.setdefault(find(advisory.id), []).append(advisory)
    return list(groups.values())


def all_ids(advisories: Iterable[Advisory]) -> set[str]:
    return {identifier for advisory in advisories for identifier in (advisory.id, *advisory.aliases)}


def preferred_id(ids: Iterable[str]) -> str:
    """A CVE when there is one (the lowest year/number if several), else the first id in plain text order."""
    return min(ids, key=id_sort_key)


def id_sort_key(identifier: str) -> tuple[int, int, int, str]:
    """CVEs first, by year and number (so CVE-2024-9999 sorts before CVE-2024-10000); then the rest by text."""
    cve = _CVE.match(identifier)
    if cve:
        return (0, int(cve[1]), int(cve[2]), identifier)
    return (1, 0, 0, identifier)
