"""`dynamic "name" { for_each = ...; content { ... } }` blocks in `.tf` source, expanded when `for_each` is known.

`for_each` is known when it is a literal list or map, a variable with a default or tfvars value, or a local
(optionally through `toset()`/`tolist()`); each element then gives one block, its `content` read with the
iterator (the block's label, or `iterator = x`) bound to `.key` and `.value`. Anything else leaves the blocks
UNRESOLVED with the reason: a dynamic block may expand to nothing, so nothing is guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from regwarden.collect.terraform.common import Unknown
from regwarden.collect.terraform.expressions import BLOCK_MARKER, Evaluator

_CONVERSION = re.compile(r"^\$\{\s*(toset|tolist)\((.*)\)\s*\}$", re.DOTALL)

Blocks = list[dict[str, Any]] | Unknown


def expand(raw: Any, evaluator: Evaluator, refs: set[str]) -> dict[str, Blocks]:
    """Block name → the blocks every `dynamic` entry of that name gives (in order), or why they are unknown."""
    found: dict[str, Blocks] = {}
    for name, body in _dynamic_entries(raw):
        blocks = _expand_one(name, body, evaluator, refs)
        earlier = found.get(name, [])
        if isinstance(earlier, Unknown) or isinstance(blocks, Unknown):
            found[name] = earlier if isinstance(earlier, Unknown) else blocks
        else:
            found[name] = [*earlier, *blocks]
    return found


def merge(static: Any, dynamic: Blocks) -> Any:
    """Blocks written out (`georeplications { ... }`) followed by those a dynamic block of the same name gives."""
    if isinstance(dynamic, Unknown) or isinstance(static, Unknown):
        return static if isinstance(static, Unknown) else dynamic
    written = [static] if isinstance(static, Mapping) else list(static or [])
    return [*written, *dynamic]


def _dynamic_entries(raw: Any) -> list[tuple[str, Mapping[str, Any]]]:
    entries = raw if isinstance(raw, list) else [raw]
    return [
        (_unquote(label), body)
        for entry in entries
        if isinstance(entry, Mapping)
        for label, body in entry.items()
        if label != BLOCK_MARKER and isinstance(body, Mapping)
    ]


def _expand_one(name: str, body: Mapping[str, Any], evaluator: Evaluator, refs: set[str]) -> Blocks:
    items = _for_each(body.get("for_each"), evaluator, refs)
    if isinstance(items, Unknown):
        return Unknown(f"dynamic block {name}: for_each is not known statically ({items.reason})")
    content = body.get("content")
    template = content[0] if isinstance(content, list) and content else content
    if not isinstance(template, Mapping):
        return Unknown(f"dynamic block {name} has no content block")
    iterator = _bare(body.get("iterator")) or name
    return [evaluator.with_iterator(iterator, key, value).resolve(template, refs) for key, value in items]


def _for_each(raw: Any, evaluator: Evaluator, refs: set[str]) -> list[tuple[Any, Any]] | Unknown:
    """(key, value) pairs: a list gives (index, element), a map (key, value), a set (element, element)."""
    conversion = _CONVERSION.match(raw) if isinstance(raw, str) else None
    value = _converted(conversion, evaluator, refs) if conversion else evaluator.resolve(raw, refs)
    if isinstance(value, Unknown):
        return value
    if conversion is not None and conversion.group(1) == "toset" and isinstance(value, list):
        distinct = {json.dumps(element, sort_keys=True, default=str): element for element in reversed(value)}
        return [(element, element) for element in reversed(distinct.values())]
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Mapping):
        return list(value.items())
    return Unknown(f"for_each is {value!r}, not a list, set or map")


def _converted(conversion: re.Match[str], evaluator: Evaluator, refs: set[str]) -> Any:
    inner = conversion.group(2).strip()
    try:
        literal = json.loads(inner)  # `toset(["a", "b"])`: an HCL list of strings is also JSON
    except ValueError:
        return evaluator.resolve("${" + inner + "}", refs)
    return literal if isinstance(literal, list) else Unknown(f"cannot convert {inner}")


def _bare(raw: Any) -> str | None:
    """The iterator's name as python-hcl2 keeps it: bare (`r`), or wrapped in `${}` or quotes."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    text = text[2:-1] if text.startswith("${") and text.endswith("}") else text
    return _unquote(text.strip()) or None


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label.startswith('"') and label.endswith('"') else label
