"""The registry a child resource belongs to, when that registry is not in the input.

A template or export may hold only child resources (replications, tokens, usages, ...) of a registry declared or
exported elsewhere. Such children are still audited, under a registry named by, in this order: the child's
resource id (`…/registries/NAME/…`), an Az PowerShell `ParentResource` (`registries/NAME`; the template adapter
writes one from a `format()`/`concat()` name or a `dependsOn`), or a `NAME/child` name. Children that name no
parent at all share one registry with a bracketed placeholder name (brackets mean "not known" to the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from regwarden.collect.azure.inventory import Item
from regwarden.collect.azure.keys import get
from regwarden.collect.coerce import to_str
from regwarden.model.arm_id import is_expression

UNNAMED = "[registry not named in the input]"
_IN_ID = "/providers/microsoft.containerregistry/registries/"


@dataclass(frozen=True)
class ParentRef:
    name: str
    id: str | None
    """The registry's ARM id when a child's id gives it."""
    named_by: str
    """How the input names the registry, for the reason its own properties are unknown."""

    @property
    def reason(self) -> str:
        if self.name == UNNAMED:
            return "the registry is not in the input, and its child resources do not name it"
        return f"the registry is not in the input, only its child resources (named by {self.named_by})"


def parent_of(child: Mapping[str, Any]) -> ParentRef:
    return (
        _from_id(to_str(get(child, "id")) or "")
        or _from_parent_resource(to_str(get(child, "parentResource")) or "")
        or _from_name(to_str(get(child, "name")) or "")
        or ParentRef(UNNAMED, None, "nothing")
    )


def unlisted_parents(children: Iterable[Item], listed_names: set[str]) -> list[tuple[ParentRef, list[Item]]]:
    """Children grouped by the registry they name, for registries not among `listed_names` (folded)."""
    groups: dict[str, tuple[ParentRef, list[Item]]] = {}
    for child in children:
        ref = parent_of(child.body)
        key = ref.name.casefold()  # registry names are unique in Azure, whatever named them
        if key in listed_names:
            continue  # a child of a registry in the input that did not take it: not a registry of its own
        known, items = groups.get(key, (ref, []))
        groups[key] = (known if known.id or not ref.id else ref, [*items, child])
    return list(groups.values())


def _from_id(child_id: str) -> ParentRef | None:
    start = child_id.casefold().find(_IN_ID)
    if start < 0:
        return None
    name_start = start + len(_IN_ID)
    end = child_id.find("/", name_start)
    if end < 0:
        return None  # the registry's own id, not a child's
    return ParentRef(child_id[name_start:end], child_id[:end], "the child's resource id")


def _from_parent_resource(parent: str) -> ParentRef | None:
    marker = parent.casefold().find("registries/")
    name = parent[marker + len("registries/") :] if marker >= 0 else ""
    return ParentRef(name, None, "the child's ParentResource, or its name or dependsOn in a template") if name else None


def _from_name(name: str) -> ParentRef | None:
    if is_expression(name) or "/" not in name:
        return None
    return ParentRef(name.split("/", 1)[0], None, "the child's `registry/child` name")
