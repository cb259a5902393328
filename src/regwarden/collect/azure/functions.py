"""The ARM template functions `expressions.Evaluator` applies to already evaluated arguments.

Each raises `Unresolvable` when its arguments make the result unknowable statically; `Unknown` carries such a
result through an expression without raising, so an `if` can still skip the branch it does not take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Unresolvable(Exception):
    """The expression uses something a static reading cannot know."""


class Unknown:
    """A sub-expression whose value a static reading cannot know (carried, not raised, so `if` can skip it)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


MAX_COPIES = 800
"""ARM's limit on one `copy` loop: a larger count is not a deployable template, so it is not expanded."""


def loop_count(count: Any) -> int | None:
    """A `copy` count that a template can deploy, or None."""
    valid = isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_COPIES
    return count if valid else None


def member(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return value if isinstance(value, Unknown) else key
    if isinstance(value, Mapping) and isinstance(key, str):
        # ARM property names are case-insensitive.
        found = next((v for k, v in value.items() if str(k).casefold() == key.casefold()), _MISSING)
        return Unknown(f"no property {key!r}") if found is _MISSING else found
    if isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
        return value[key]
    return Unknown(f"cannot read {key!r} of {type(value).__name__}")


_MISSING = object()


def property_loops(node: Mapping[str, Any]) -> bool:
    loops = node.get("copy")
    return isinstance(loops, list) and all(isinstance(x, Mapping) and "name" in x and "input" in x for x in loops)


def try_get(args: list[Any]) -> Any:
    """`tryGet(object, key...)`: null instead of an error when a key (or the object) is missing."""
    value = args[0]
    for key in args[1:]:
        if value is None:
            return None
        found = member(value, key)
        value = None if isinstance(found, Unknown) else found
    return value


def length_of(value: Any) -> int:
    if isinstance(value, str | list | Mapping):
        return len(value)
    raise Unresolvable(f"length() of {value!r}")


def empty(value: Any) -> bool:
    if value is None or isinstance(value, str | list | Mapping):
        return not value
    raise Unresolvable(f"empty() of {value!r}")


def create_object(args: list[Any]) -> dict[str, Any]:
    if len(args) % 2 or not all(isinstance(k, str) for k in args[::2]):
        raise Unresolvable("createObject() needs name/value pairs")
    return dict(zip(args[::2], args[1::2], strict=True))


def resource_id(args: list[Any]) -> str:
    """`resourceId([sub], [rg], type, name...)` as the relative id `type/name/...` (no subscription is "
    "known)."""
    index = next((i for i, a in enumerate(args) if "/" in str(a)), None)
    if index is None:
        raise Unresolvable("resourceId() without a resource type")
    return "/".join(str(a) for a in args[index:])


def concat(args: list[Any]) -> list[Any]:
    if all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    raise Unresolvable("concat of mixed types")


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Unresolvable(f"expected a boolean, got {value!r}")
