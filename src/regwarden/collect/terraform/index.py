"""Every resource of one Terraform input, grouped once so that linking children to registries stays linear.

With 1,000 registries and ten children each, checking every child against every registry was quadratic; the
index groups resources by type, by base address, and per linking attribute by what the attribute names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regwarden.collect.terraform.common import TfResource, Unknown, lookup
from regwarden.model.arm_id import fold_id


@dataclass(frozen=True)
class Links:
    """Resources of one type, keyed by what their linking attribute names (so linking is not quadratic)."""

    by_reference: dict[str, list[TfResource]]
    """Base address of a referenced resource → resources whose attribute refers to it."""
    by_text: dict[str, list[TfResource]]
    """Folded literal value (and, for an ARM id ending in `/registries/NAME`, NAME) → resources."""
    unresolved: list[TfResource]
    """Resources whose attribute is unknown and refers to no resource."""


class Index:
    """All resources of the input, grouped once so that following references stays linear."""

    def __init__(self, resources: Sequence[TfResource]) -> None:
        self.resources = resources
        self._types: dict[str, list[TfResource]] = {}
        self._bases: dict[str, list[TfResource]] = {}
        for resource in resources:
            self._types.setdefault(resource.type, []).append(resource)
            self._bases.setdefault(resource.base, []).append(resource)
        self._links: dict[tuple[str, str], Links] = {}
        self._unlinked: dict[tuple[str, str, str], list[TfResource]] = {}

    def of_type(self, kind: str) -> list[TfResource]:
        return self._types.get(kind, [])

    def declared(self, kind: str) -> bool:
        return kind in self._types

    def by_base(self, base: str) -> list[TfResource]:
        return self._bases.get(base, [])

    def links(self, kind: str, attribute: str) -> Links:
        key = (kind, attribute)
        if key not in self._links:
            self._links[key] = _group_links(self.of_type(kind), attribute)
        return self._links[key]

    def not_naming(self, kind: str, attribute: str, target_type: str) -> list[TfResource]:
        """Resources of `kind` whose `attribute` refers to no resource of `target_type` (cached)."""
        key = (kind, attribute, target_type)
        if key not in self._unlinked:
            self._unlinked[key] = [
                resource
                for resource in self.of_type(kind)
                if not any(
                    r.type == target_type
                    for reference in resource.references.get(attribute, frozenset())
                    for r in self.by_base(reference)
                )
            ]
        return self._unlinked[key]

    def linked(self, kind: str, attribute: str, base: str, texts: Sequence[str], single: bool) -> list[TfResource]:
        """Resources of `kind` whose `attribute` refers to `base` or holds one of `texts` (folded)."""
        links = self.links(kind, attribute)
        found = list(links.by_reference.get(base, []))
        for text in dict.fromkeys(texts):
            found.extend(links.by_text.get(text, []))
        if single:
            found.extend(links.unresolved)
        return list({id(r): r for r in found}.values())


def _group_links(resources: list[TfResource], attribute: str) -> Links:
    links = Links({}, {}, [])
    for resource in resources:
        references = resource.references.get(attribute, frozenset())
        for reference in references:
            links.by_reference.setdefault(reference, []).append(resource)
        raw = lookup(resource.values, attribute)
        if isinstance(raw, str) and raw:
            folded = fold_id(raw)
            keys = {folded}
            tail = folded.rsplit("/registries/", 1)
            if len(tail) == 2 and "/" not in tail[1]:
                keys.add(tail[1])
            for key in keys:
                links.by_text.setdefault(key, []).append(resource)
        elif isinstance(raw, Unknown) and not references:
            links.unresolved.append(resource)
    return links


def resource_id(resource: TfResource) -> str:
    """The ARM id when the input knows it, else the Terraform address (stable within one input)."""
    raw = lookup(resource.values, "id")
    return raw if isinstance(raw, str) and raw else resource.base


def resource_name(resource: TfResource) -> str:
    raw = lookup(resource.values, "name")
    return raw if isinstance(raw, str) else resource.label
