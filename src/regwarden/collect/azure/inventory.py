"""Everything an ARM/az input holds, flattened and indexed by type, with the rules for what belongs where.

Children may be nested under a registry (`resources`, `replications`, `tokens`, ... keys) or beside it;
related resources (role assignments, locks, alerts) belong to a registry when their scope covers it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from regwarden.collect.azure.index import ChildIndex, ScopeIndex
from regwarden.collect.azure.keys import as_list, get, has, properties
from regwarden.collect.azure.related import scope_of
from regwarden.collect.coerce import to_str
from regwarden.model.arm_id import fold_id, scope_covers
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Value

T = TypeVar("T")

REGISTRY = "microsoft.containerregistry/registries"
CHILD = REGISTRY + "/"
USAGES = CHILD + "usages"
_LIST_USAGES = CHILD + "listusages"
"""listUsages as a child: one wrapper `{"ResourceType": "…/listUsages", "value": [usage, ...]}` (PSRule's older
exports) or one resource per usage (`name`, `limit`, `currentValue`; its newer exports and flattened lists)."""
CHILD_KINDS = tuple(CHILD + kind for kind in ("replications", "scopemaps", "tokens", "webhooks", "tasks", "usages"))
"""The registry's own child types that the model holds (with private endpoint connections, which may also be
embedded in the registry): a child of these whose registry is not in the input is still audited."""
NESTED_KEYS = {
    "replications": CHILD + "replications",
    "tokens": CHILD + "tokens",
    "scopemaps": CHILD + "scopemaps",
    "webhooks": CHILD + "webhooks",
    "tasks": CHILD + "tasks",
    "usages": USAGES,
    "diagnosticsettings": "microsoft.insights/diagnosticsettings",
    "roleassignments": "microsoft.authorization/roleassignments",
    "locks": "microsoft.authorization/locks",
    "assessments": "microsoft.security/assessments",
}
"""Keys under which a registry object may carry related resources inline (an export or our own bundle)."""


@dataclass(frozen=True)
class Item:
    kind: str
    """The folded full ARM type."""
    body: Mapping[str, Any]
    parent: str | None
    """The folded name of the registry it was nested under, if any."""


@dataclass
class Inventory:
    origin: str
    missing: Mapping[str, str]
    """Folded ARM type → why it could not be read (e.g. 403)."""
    items: list[Item] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    """Types that appear in the input at all: those are complete (absence of an item means none)."""
    _by_kind: dict[str, list[int]] | None = field(default=None, init=False, repr=False)
    _child_indexes: dict[str, ChildIndex] = field(default_factory=dict, init=False, repr=False)
    _scope_indexes: dict[tuple[str, str], tuple[dict[int, str | None], ScopeIndex]] = field(
        default_factory=dict, init=False, repr=False
    )
    _claimed: set[int] = field(default_factory=set, init=False, repr=False)
    """Positions of the children some registry of the input took (see `unclaimed`)."""

    @classmethod
    def of(cls, resources: Iterable[Mapping[str, Any]], origin: str, missing: Mapping[str, str]) -> Inventory:
        inventory = cls(origin, {kind.casefold(): reason for kind, reason in missing.items()})
        for index, resource in enumerate(resources):
            if not isinstance(resource, Mapping):
                raise BadInputError(f"{origin}: item {index} is not a JSON object")
            inventory._add(resource, None)
        return inventory

    def _add(self, resource: Mapping[str, Any], parent: str | None) -> None:
        kind = _type_of(resource, parent)
        if kind == _LIST_USAGES:
            self.present.add(USAGES)
            self.items.extend(Item(USAGES, usage, parent) for usage in usage_entries(resource))
            return
        self.items.append(Item(kind, resource, parent))
        self.present.add(kind)
        if kind != REGISTRY:
            return
        name = (to_str(get(resource, "name")) or "?").casefold()  # "?" as registry_fields names it
        for nested_kind, child in self._nested(resource):
            if isinstance(child, Mapping):
                inner = dict(child)
                if nested_kind is not None:
                    inner.setdefault("type", nested_kind)
                self._add(inner, name)

    def _nested(self, resource: Mapping[str, Any]) -> list[tuple[str | None, Any]]:
        found: list[tuple[str | None, Any]] = [(None, r) for r in as_list(get(resource, "resources"))]
        for key, value in resource.items():
            kind = NESTED_KEYS.get(str(key).casefold())
            if kind is not None and isinstance(value, list | Mapping):
                self.present.add(kind)  # an empty nested list still says "collected, none"
                found.extend((kind, entry) for entry in as_list(value))
        return found

    def registries(self) -> list[Mapping[str, Any]]:
        return self.all_of(REGISTRY)

    def all_of(self, kind: str) -> list[Mapping[str, Any]]:
        return [self.items[position].body for position in self._positions().get(kind, ())]

    def children_of(self, kind: str, registry_id: str, registry_name: str) -> list[Mapping[str, Any]]:
        single = len(self._positions().get(REGISTRY, ())) == 1
        candidates = self._children(kind).candidates(fold_id(registry_id), registry_name.casefold(), single)
        found = [
            position for position in candidates if _belongs(self.items[position], registry_id, registry_name, single)
        ]
        self._claimed.update(found)
        return [self.items[position].body for position in found]

    def unclaimed(self, kinds: Iterable[str]) -> list[Item]:
        """Top-level children of `kinds` that no registry took, once every registry has asked for its children:
        their registry is not in the input."""
        positions = self._positions()
        found = {p for kind in kinds for p in positions.get(kind, ()) if p not in self._claimed}
        return [self.items[p] for p in sorted(found) if self.items[p].parent is None]

    def covering(self, kind: str, provider: str, registry_id: str, registry_name: str) -> list[Mapping[str, Any]]:
        """Extension resources (role assignments, locks, policy) whose scope covers the registry."""
        scopes, index = self._scopes(kind, provider)
        return [
            self.items[position].body
            for position in index.candidates(registry_id, registry_name)
            if scope_covers(scopes[position], registry_id, registry_name)
        ]

    def _positions(self) -> dict[str, list[int]]:
        """Item positions by type, built once the input is complete (queries only start after `of`)."""
        if self._by_kind is None:
            self._by_kind = defaultdict(list)
            for position, item in enumerate(self.items):
                self._by_kind[item.kind].append(position)
        return self._by_kind

    def _children(self, kind: str) -> ChildIndex:
        index = self._child_indexes.get(kind)
        if index is None:
            index = self._child_indexes[kind] = ChildIndex()
            for position in self._positions().get(kind, ()):
                item = self.items[position]
                body = item.body
                index.add(
                    position,
                    item.parent,
                    fold_id(to_str(get(body, "id")) or ""),
                    (to_str(get(body, "name")) or "").casefold(),
                    bool(to_str(get(body, "scope")) or to_str(get(properties(body), "scope"))),
                )
        return index

    def _scopes(self, kind: str, provider: str) -> tuple[dict[int, str | None], ScopeIndex]:
        cached = self._scope_indexes.get((kind, provider))
        if cached is None:
            positions = self._positions().get(kind, ())
            scopes = {position: scope_of(self.items[position].body, provider) for position in positions}
            cached = self._scope_indexes[(kind, provider)] = (scopes, ScopeIndex(scopes.items()))
        return cached

    def collected(self, kind: str, path: str, values: Iterable[T]) -> Value[tuple[T, ...]]:
        """Values of a related type: UNAVAILABLE when it could not be read or is absent from the input."""
        if kind in self.missing:
            return Value.unavailable(path, self.missing[kind], self.origin)
        if kind not in self.present:
            return Value.unavailable(path, "not present in the input", self.origin)
        return Value.explicit(tuple(values), path, self.origin)


def usage_entries(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The usages one listUsages resource holds: its `value` list, or itself when it is one usage. Entries of a
    wrapper with an id get ids under it, so they find their registry by id as any child does."""
    listed = get(resource, "value")
    if not isinstance(listed, list):
        return [resource]
    entries = [usage for usage in listed if isinstance(usage, Mapping)]
    wrapper_id = to_str(get(resource, "id"))
    if not wrapper_id:
        return entries
    return [u if get(u, "id") else {**u, "id": f"{wrapper_id.rstrip('/')}/{i}"} for i, u in enumerate(entries)]


def _type_of(resource: Mapping[str, Any], parent: str | None) -> str:
    # Az PowerShell (and PSRule's exports) label an extension resource such as an assessment with the
    # type of the resource it extends and put its own type in `ExtensionResourceType`.
    kind = to_str(get(resource, "extensionResourceType")) or to_str(get(resource, "type"))
    kind = kind or to_str(get(resource, "resourceType"))
    if kind is None:
        # listUsages entries have no type; recognise them by shape.
        return USAGES if has(resource, "currentValue") and has(resource, "limit") else ""
    kind = kind.casefold()
    if parent is not None and "/" not in kind:
        return CHILD + kind  # a template's nested child: `"type": "replications"`
    return kind


def _belongs(item: Item, registry_id: str, registry_name: str, single: bool) -> bool:
    """Whether a child (replication, token, diagnostic setting, ...) belongs to this registry."""
    if item.parent is not None:
        return item.parent == registry_name.casefold()
    child_id = fold_id(to_str(get(item.body, "id")) or "")
    if child_id:
        return child_id.startswith(fold_id(registry_id) + "/")
    name = (to_str(get(item.body, "name")) or "").casefold()
    if "/" in name:
        return name.split("/")[0] == registry_name.casefold()
    scope = to_str(get(item.body, "scope")) or to_str(get(properties(item.body), "scope"))
    if scope:
        return "registries/" in scope.casefold() and scope_covers(scope, registry_id, registry_name)
    return single  # no id, name or scope to go by: only unambiguous when the input has one registry
