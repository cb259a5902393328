"""A deliberately small evaluator for HCL expressions as python-hcl2 (8.x) serialises them.

python-hcl2 keeps string literals quoted (`"\\"text\\""`) and wraps other expressions in `${...}`. We resolve
what is static: literals, string templates, `var.x` (defaults and tfvars), `local.x`, a dynamic block's iterator
(`georeplications.value["location"]`), and a resource's literal `name`/`location`/`resource_group_name`.
Everything else (function calls, conditionals, `for`, attributes known only after apply) becomes `Unknown` with
the expression as the reason, and every resource an expression names is recorded so children can still be linked
to their registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from regwarden.collect.terraform.common import Unknown, resource_reference

BLOCK_MARKER = "__is_block__"
_TRAVERSAL = re.compile(r'^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"]*"\])*$')
_REFERENCE = re.compile(r"\b(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)?")
_ESCAPES = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])|\$\$\{|%%\{')
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
STATIC_ATTRIBUTES = frozenset({"name", "location", "resource_group_name", "sku"})
"""Resource attributes taken from the configuration when written as literals; others wait for apply."""


def unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        if token == "%%{":
            return "%{"
        code = match.group(1)
        return _SIMPLE[code] if code in _SIMPLE else chr(int(code[1:], 16))

    return _ESCAPES.sub(replace, text)


class Evaluator:
    """Resolves python-hcl2 values; `refs` collects the base addresses of resources an expression names."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        locals_: Mapping[str, Any],
        resources: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.variables = variables
        self.locals = locals_
        self.resources = resources
        self.iterators: Mapping[str, Mapping[str, Any]] = {}
        """A dynamic block's iterator name → its `key` and `value` while that block's content is read."""
        self._resolving: set[str] = set()

    def with_iterator(self, name: str, key: Any, value: Any) -> Evaluator:
        """This evaluator with a dynamic block's iterator bound (`name.key`, `name.value`)."""
        bound = Evaluator(self.variables, self.locals, self.resources)
        bound.iterators = {**self.iterators, name: {"key": key, "value": value}}
        return bound

    def resolve(self, raw: Any, refs: set[str]) -> Any:
        if isinstance(raw, str):
            return self._string(raw, refs)
        if isinstance(raw, list):
            return [self.resolve(item, refs) for item in raw]
        if isinstance(raw, Mapping):
            return {self._key(key): self.resolve(value, refs) for key, value in raw.items() if key != BLOCK_MARKER}
        return raw

    def _key(self, key: str) -> str:
        return key[1:-1] if len(key) >= 2 and key.startswith('"') and key.endswith('"') else key

    def _string(self, raw: str, refs: set[str]) -> Any:
        if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
            return self.template(raw[1:-1], refs)
        if raw.startswith("${") and raw.endswith("}"):
            return self.expression(raw[2:-1], refs)
        return self.expression(raw, refs)

    def template(self, body: str, refs: set[str]) -> Any:
        """A quoted string with `${...}` interpolations: a string when every part is known."""
        if "\\" not in body and "${" not in body and "%" not in body:
            return body  # the common plain string: nothing to interpolate or unescape
        parts: list[str] = []
        unknown: Unknown | None = None
        position = 0
        while (start := _interpolation_start(body, position)) >= 0:
            end = _closing_brace(body, start + 2)
            if end < 0:
                return Unknown(f"unterminated interpolation in {body!r}")
            parts.append(unescape(body[position:start]))
            value = self.expression(body[start + 2 : end], refs)
            if isinstance(value, Unknown):
                unknown = unknown or value
            elif isinstance(value, str | int | float | bool):
                parts.append(str(value).lower() if isinstance(value, bool) else str(value))
            else:
                unknown = unknown or Unknown(f"cannot interpolate {value!r}")
            position = end + 1
        if "%{" in body.replace("%%{", ""):
            return Unknown(f"template directive not evaluated: {body}")
        tail = unescape(body[position:])
        if unknown is not None:
            return Unknown(unknown.reason, tail)
        return "".join([*parts, tail])

    def expression(self, text: str, refs: set[str]) -> Any:
        text = text.strip()
        literal = _literal(text)
        if literal is not _NOT_LITERAL:
            return literal
        if len(text) >= 2 and text.startswith('"') and text.endswith('"') and '"' not in text[1:-1].replace('\\"', ""):
            return self.template(text[1:-1], refs)
        if _TRAVERSAL.match(text):
            return self._traversal(text, refs)
        for match in _REFERENCE.finditer(text):
            address = resource_reference(match.group(0))
            if address is not None:
                refs.add(address)
        self._follow_names(text, refs)
        return Unknown(f"expression not evaluated: {text}")

    def _follow_names(self, text: str, refs: set[str]) -> None:
        """Record the resources that locals used inside a complex expression refer to."""
        for name in re.findall(r"\blocal\.([A-Za-z_][\w-]*)", text):
            if name in self.locals and name not in self._resolving:
                self._local(name, refs)

    def _traversal(self, text: str, refs: set[str]) -> Any:
        steps = re.findall(r'[A-Za-z_][\w-]*|\[\d+\]|\["[^"]*"\]', text)
        head = steps[0]
        if head in self.iterators and len(steps) > 1:
            return _index(self.iterators[head], steps[1:], text)
        if head == "var" and len(steps) > 1:
            if steps[1] not in self.variables:
                return Unknown(f"var.{steps[1]} is not declared")
            return _index(self.variables[steps[1]], steps[2:], text)
        if head == "local" and len(steps) > 1:
            if steps[1] not in self.locals:
                return Unknown(f"local.{steps[1]} is not declared")
            return _index(self._local(steps[1], refs), steps[2:], text)
        address = resource_reference(text)
        if address is None:
            return Unknown(f"expression not evaluated: {text}")
        refs.add(address)
        attribute = steps[2] if len(steps) > 2 and not address.startswith("data.") else None
        body = self.resources.get(address)
        if attribute in STATIC_ATTRIBUTES and body is not None and attribute in body:
            value = self.resolve(body[attribute], set())
            if not isinstance(value, Unknown):
                return value
        return Unknown(f"{text} is known only after apply")

    def _local(self, name: str, refs: set[str]) -> Any:
        if name in self._resolving:
            return Unknown(f"local.{name} refers to itself")
        self._resolving.add(name)
        try:
            return self.resolve(self.locals[name], refs)
        finally:
            self._resolving.discard(name)


_NOT_LITERAL = object()


def _literal(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    try:
        number = json.loads(text)
    except ValueError:
        return _NOT_LITERAL
    return number if isinstance(number, int | float) and not isinstance(number, bool) else _NOT_LITERAL


def _index(value: Any, steps: list[str], text: str) -> Any:
    for step in steps:
        if isinstance(value, Unknown):
            return value
        key: Any = int(step[1:-1]) if step.startswith("[") and step[1:-1].isdigit() else step.strip('[]"')
        in_mapping = isinstance(value, Mapping) and key in value
        in_list = isinstance(value, list) and isinstance(key, int) and key < len(value)
        if not (in_mapping or in_list):
            return Unknown(f"{text} has no value")
        value = value[key]
    return value


def _interpolation_start(body: str, position: int) -> int:
    while (start := body.find("${", position)) >= 0:
        if start > 0 and body[start - 1] == "$":  # `$${` is an escaped literal
            position = start + 2
            continue
        return start
    return -1


def _closing_brace(body: str, position: int) -> int:
    depth = 1
    quoted = False
    for offset in range(position, len(body)):
        char = body[offset]
        if char == '"' and body[offset - 1] != "\\":
            quoted = not quoted
        elif not quoted and char == "{":
            depth += 1
        elif not quoted and char == "}":
            depth -= 1
            if depth == 0:
                return offset
    return -1
