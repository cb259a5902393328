"""Case-insensitive access to ARM-shaped JSON, and typed reads into provenance-carrying `Value`s.

ARM property names are case-insensitive (`az acr show` spells `azureAdAuthenticationAsArmPolicy`, the REST API
`azureADAuthenticationAsArmPolicy`), so every key lookup in the ARM adapters goes through `get`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from regwarden.model.arm_id import is_expression
from regwarden.model.registry import Value

T = TypeVar("T")

_MISSING = object()


def get(node: Any, *keys: str) -> Any:
    """Follow `keys` through nested mappings, matching each key case-insensitively; None when absent."""
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        folded = key.casefold()
        found: Any = _MISSING
        for candidate, value in node.items():
            if isinstance(candidate, str) and candidate.casefold() == folded:
                found = value
                break
        if found is _MISSING:
            return None
        node = found
    return node


def has(node: Any, key: str) -> bool:
    return isinstance(node, Mapping) and any(isinstance(k, str) and k.casefold() == key.casefold() for k in node)


def properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ARM `properties` object, or the resource itself for az's flattened output (no wrapper)."""
    props = get(resource, "properties")
    return props if isinstance(props, Mapping) else resource


def as_list(node: Any) -> list[Any]:
    """A JSON array, or the `value` array of a list response; anything else is empty."""
    if isinstance(node, list):
        return node
    inner = get(node, "value")
    return inner if isinstance(inner, list) else []


def read(
    node: Mapping[str, Any],
    keys: tuple[str, ...],
    path: str,
    origin: str,
    default: T | None,
    convert: Callable[[Any], T | None],
    expected: str,
) -> Value[T]:
    """Read `keys` into a Value: absent → the service default; an expression or wrong type → UNRESOLVED."""
    raw = get(node, *keys)
    if raw is None and (enclosing := expression_on_path(node, keys)) is not None:
        # `"networkRuleSet": "[reference(...)]"`: the value is inside something unknown, not absent.
        return Value.unresolved(path, f"unresolved ARM expression: {enclosing}", origin)
    if raw is None:
        return Value.default(default, path, origin)
    if is_expression(raw):
        return Value.unresolved(path, f"unresolved ARM expression: {raw}", origin)
    converted = convert(raw)
    if converted is None:
        return Value.unresolved(path, f"expected {expected}, got {raw!r}", origin)
    return Value.explicit(converted, path, origin)


def expression_on_path(node: Any, keys: tuple[str, ...]) -> str | None:
    """The unresolved expression that stands where an enclosing object of `keys` should be, if any."""
    for depth in range(1, len(keys)):
        enclosing = get(node, *keys[:depth])
        if is_expression(enclosing):
            return str(enclosing)
    return None
