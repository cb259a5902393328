"""Lookup indexes that find a registry's children and covering resources without comparing every pair.

An export of a thousand registries holds tens of thousands of related resources; comparing each with each
registry is quadratic. These indexes narrow the candidates by registry id, name or scope prefix, and the caller
still applies its exact rule (`_belongs`, `scope_covers`) to every candidate, so an index can only make the
lookup faster, never change its answer. Each index returns positions in input order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from regwarden.model.arm_id import fold_id, last_segment

_SUBSCRIPTIONS = "/subscriptions/"
_MANAGEMENT_GROUP = "microsoft.management/managementgroups"


def prefixes(folded_id: str) -> Iterator[str]:
    """Every proper prefix of an id that ends just before a `/`: the ids of its ancestors (and "" for `/...`)."""
    position = folded_id.find("/")
    while position != -1:
        yield folded_id[:position]
        position = folded_id.find("/", position + 1)


class ChildIndex:
    """Children of one type, bucketed the way `_belongs` decides (parent, id, `registry/child` name, rest)."""

    def __init__(self) -> None:
        self._by_parent: dict[str, list[int]] = defaultdict(list)
        self._by_ancestor: dict[str, list[int]] = defaultdict(list)
        self._by_head: dict[str, list[int]] = defaultdict(list)
        self._scoped: list[int] = []
        self._loose: list[int] = []

    def add(self, position: int, parent: str | None, folded_id: str, folded_name: str, scoped: bool) -> None:
        if parent is not None:
            self._by_parent[parent].append(position)
        elif folded_id:
            for ancestor in prefixes(folded_id):
                self._by_ancestor[ancestor].append(position)
        elif "/" in folded_name:
            self._by_head[folded_name.split("/")[0]].append(position)
        elif scoped:
            self._scoped.append(position)
        else:
            self._loose.append(position)

    def candidates(self, folded_registry_id: str, folded_name: str, single: bool) -> list[int]:
        found = [
            *self._by_parent.get(folded_name, ()),
            *self._by_ancestor.get(folded_registry_id, ()),
            *self._by_head.get(folded_name, ()),
            *self._scoped,
            *(self._loose if single else ()),
        ]
        return sorted(set(found))


class ScopeIndex:
    """Extension resources (role assignments, locks, policy) by the scope they are assigned at."""

    def __init__(self, scoped: Iterable[tuple[int, str | None]]) -> None:
        self._everywhere: list[int] = []
        self._by_path: dict[str, list[int]] = defaultdict(list)
        self._by_registry_name: dict[str, list[int]] = defaultdict(list)
        self._relative: list[int] = []
        self._all: list[int] = []
        for position, scope in scoped:
            self._add(position, scope)

    def _add(self, position: int, scope: str | None) -> None:
        self._all.append(position)
        folded = fold_id(scope or "")
        if not folded or _MANAGEMENT_GROUP in folded:
            self._everywhere.append(position)
        elif folded.startswith(_SUBSCRIPTIONS):
            self._by_path[folded].append(position)
        elif "registries/" in folded:
            self._by_registry_name[last_segment(folded)].append(position)
        else:
            self._relative.append(position)

    def candidates(self, registry_id: str, registry_name: str) -> list[int]:
        target = fold_id(registry_id)
        if not target.startswith(_SUBSCRIPTIONS):
            return self._all  # a synthetic (template or plan) id: every scope may cover it
        found = [*self._everywhere, *self._by_registry_name.get(registry_name.casefold(), ())]
        for ancestor in (*prefixes(target), target):
            found.extend(self._by_path.get(ancestor, ()))
        return sorted(set(found))
