"""The format-neutral view of a Terraform resource, shared by the plan/state JSON and `.tf` source adapters.

Both adapters reduce their input to `TfResource`s: attribute values as Terraform shows them (nested blocks are
lists of objects), with `Unknown` markers where a value cannot be known statically (unknown until apply, or a
variable without a value), and the resource addresses each top-level attribute refers to. The mapping onto the
neutral `Registry` model (terraform/registry.py, terraform/related.py) then reads only this view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from regwarden.collect.coerce import to_bool
from regwarden.model.registry import Value

T = TypeVar("T")

_INDEX = re.compile(r"\[[^\]]*\]")
_NOT_RESOURCES = frozenset({"var", "local", "module", "each", "count", "path", "terraform", "self"})


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the input, and why."""

    reason: str
    literal_tail: str = ""
    """For a string template: the literal text after its last interpolation (`/scopeMaps/_x`)."""


@dataclass(frozen=True)
class TfResource:
    address: str
    """Full address with module path and instance key: `module.acr.azurerm_container_registry.main[0]`."""
    type: str
    values: Mapping[str, Any]
    references: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Top-level attribute → base addresses of the resources its expression refers to."""
    configured: frozenset[str] | None = None
    """Top-level attributes written in the configuration; None when the input does not say (state JSON)."""
    origin: str | None = None
    """The file that declares it, when the input is several files (a `.tf` directory)."""

    @property
    def base(self) -> str:
        """The address without instance keys, as configuration references spell it."""
        return base_address(self.address)

    @property
    def label(self) -> str:
        """The resource's local name (`main` in `azurerm_container_registry.main`)."""
        return self.base.rsplit(".", 1)[-1]

    def refers_to(self, attribute: str, target: TfResource) -> bool:
        return target.base in self.references.get(attribute, frozenset())

    def refs_of_type(self, attribute: str, kind: str) -> list[str]:
        return [r for r in self.references.get(attribute, frozenset()) if r.rsplit(".", 2)[-2] == kind]


def base_address(address: str) -> str:
    return _INDEX.sub("", address)


def resource_reference(reference: str, module_prefix: str = "") -> str | None:
    """The base address a reference names (`azurerm_x.y.id` → `azurerm_x.y`), or None for var/local/...."""
    parts = _INDEX.sub("", reference).split(".")
    if parts[0] == "data" and len(parts) >= 3:
        return module_prefix + ".".join(parts[:3])
    if parts[0] in _NOT_RESOURCES or len(parts) < 2:
        return None
    return module_prefix + ".".join(parts[:2])


def lookup(values: Any, *keys: str | int) -> Any:
    """Follow attribute names and list indexes; None when absent or null, an `Unknown` when unknown."""
    node = values
    for key in keys:
        if isinstance(node, Unknown):
            return node
        if isinstance(key, int):
            if not isinstance(node, list) or len(node) <= key:
                return None
            node = node[key]
        elif isinstance(node, Mapping):
            node = node.get(key)
        else:
            return None
    return node


def blocks(values: Any, name: str) -> list[Mapping[str, Any]] | Unknown:
    """A nested block's instances (a list of objects; a lone object is accepted too)."""
    raw = lookup(values, name)
    if isinstance(raw, Unknown):
        return raw
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, list):
        return [b for b in raw if isinstance(b, Mapping)]
    return []


def dotted(*keys: str | int) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")


class Reader:
    """Typed reads of one resource's attributes into `Value`s whose path is the Terraform attribute path."""

    def __init__(self, resource: TfResource, origin: str) -> None:
        self.resource = resource
        self.origin = resource.origin or origin

    def path(self, *keys: str | int) -> str:
        return f"{self.resource.base}.{dotted(*keys)}"

    def read(
        self,
        keys: tuple[str | int, ...],
        default: T | None,
        convert: Callable[[Any], T | None],
        expected: str,
    ) -> Value[T]:
        """Absent (null) → the provider default (DEFAULT); unknown or of the wrong type → UNRESOLVED."""
        path = self.path(*keys)
        raw = lookup(self.resource.values, *keys)
        if raw is None or raw == "":  # state JSON writes unset optional strings as ""
            return Value.default(default, path, self.origin)
        if isinstance(raw, Unknown):
            if self.unset(keys[0]):
                # Optional+Computed and not configured: the service picks it, i.e. its default.
                return Value.default(default, path, self.origin)
            return Value.unresolved(path, raw.reason, self.origin)
        converted = convert(raw)
        if converted is None:
            return Value.unresolved(path, f"expected {expected}, got {raw!r}", self.origin)
        configured = self.resource.configured
        if configured is not None and isinstance(keys[0], str) and keys[0] not in configured:
            # A plan fills in provider defaults; the configuration shows the user never set it.
            return Value.default(converted, path, self.origin)
        return Value.explicit(converted, path, self.origin)

    def unset(self, key: str | int) -> bool:
        """Whether the configuration shows the user never wrote this top-level attribute."""
        configured = self.resource.configured
        return configured is not None and isinstance(key, str) and key not in configured

    def blocks(self, name: str) -> list[Mapping[str, Any]] | Unknown:
        """A nested block's instances; a computed block the user did not write counts as absent."""
        found = blocks(self.resource.values, name)
        return [] if isinstance(found, Unknown) and self.unset(name) else found

    def text(self, *keys: str | int) -> str | None:
        raw = lookup(self.resource.values, *keys)
        return raw if isinstance(raw, str) and raw else None


def enabled_word(capitalised: bool) -> Callable[[Any], str | None]:
    """A Terraform boolean → the ARM status word (`enabled`/`disabled`, or `Enabled`/`Disabled`)."""

    def convert(raw: Any) -> str | None:
        flag = to_bool(raw)
        if flag is None:
            return None
        word = "enabled" if flag else "disabled"
        return word.capitalize() if capitalised else word

    return convert
