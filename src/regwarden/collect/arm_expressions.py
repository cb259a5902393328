"""A small evaluator for the ARM template expressions a registry definition usually holds.

Supported: string/number literals, `parameters()`, `variables()`, `concat`, `format`, `toLower`,
`toUpper`, `string`, `bool`, `int`, `true()`, `false()`, `resourceId` (as a relative `type/name` id), `if`,
`equals`, `not`, `and` and `or`.
Anything else (e.g. `resourceGroup().location`, `reference()`, `uniqueString()`) raises `Unresolvable`: the
caller keeps the original string, which the ARM adapter turns into an UNRESOLVED value, never a FAIL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][\w]*)|(?P<op>[(),.\[\]]))")


class Unresolvable(Exception):
    """The expression uses something a static reading cannot know."""


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise Unresolvable(f"cannot parse expression at {text[position:]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class Evaluator:
    """Evaluates `[...]` expressions against a template's parameters and variables."""

    def __init__(self, parameters: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        self._parameters = {k.casefold(): v for k, v in parameters.items()}
        self._variables = {k.casefold(): v for k, v in variables.items()}
        self._functions: dict[str, Callable[[list[Any]], Any]] = {
            "parameters": lambda a: self._lookup(self._parameters, "parameter", a),
            "variables": lambda a: self._lookup(self._variables, "variable", a),
            "concat": lambda a: "".join(str(x) for x in a) if all(isinstance(x, str) for x in a) else _concat(a),
            "format": lambda a: re.sub(r"\{(\d+)\}", lambda m: _text(a[int(m.group(1)) + 1]), str(a[0])),
            "tolower": lambda a: str(a[0]).lower(),
            "toupper": lambda a: str(a[0]).upper(),
            "string": lambda a: _text(a[0]),
            "int": lambda a: int(a[0]),
            "bool": lambda a: a[0] if isinstance(a[0], bool) else str(a[0]).lower() == "true",
            "true": lambda a: True,
            "false": lambda a: False,
            "if": lambda a: a[1] if a[0] else a[2],
            # Conditions on resources and modules are usually built from these.
            "equals": lambda a: a[0] == a[1],  # case-sensitive for strings, as in ARM
            "not": lambda a: not _boolean(a[0]),
            "and": lambda a: all(_boolean(x) for x in a),
            "or": lambda a: any(_boolean(x) for x in a),
            "resourceid": _resource_id,
            "subscriptionresourceid": _resource_id,
        }

    def resolve(self, node: Any) -> Any:
        """Resolve every expression inside `node`; unresolvable strings are kept as written."""
        if isinstance(node, Mapping):
            return {key: self.resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(value) for value in node]
        if isinstance(node, str) and node.startswith("[[") and node.endswith("]"):
            return node[1:]  # an escaped literal that starts with "["
        if isinstance(node, str) and node.startswith("[") and node.endswith("]"):
            try:
                return self.evaluate(node)
            except (Unresolvable, IndexError, ValueError, TypeError):
                return node
        return node

    def evaluate(self, expression: str) -> Any:
        tokens = _tokens(expression[1:-1])
        value, rest = self._expression(tokens)
        if rest:
            raise Unresolvable(f"unsupported syntax in {expression}")
        return value

    def _expression(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        if not tokens:
            raise Unresolvable("empty expression")
        (kind, text), rest = tokens[0], tokens[1:]
        if kind == "str":
            return text[1:-1].replace("''", "'"), rest
        if kind == "num":
            return int(text), rest
        if kind != "name" or not rest or rest[0] != ("op", "("):
            raise Unresolvable(f"unsupported token {text!r}")
        args, rest = self._arguments(rest[1:])
        function = self._functions.get(text.casefold())
        if function is None:
            raise Unresolvable(f"function {text}() is not evaluated statically")
        value = function(args)
        if rest and rest[0][1] in (".", "["):
            raise Unresolvable("property access or indexing is not evaluated statically")
        return value, rest

    def _arguments(self, tokens: list[tuple[str, str]]) -> tuple[list[Any], list[tuple[str, str]]]:
        args: list[Any] = []
        while tokens and tokens[0] != ("op", ")"):
            value, tokens = self._expression(tokens)
            args.append(value)
            if tokens and tokens[0] == ("op", ","):
                tokens = tokens[1:]
        if not tokens:
            raise Unresolvable("unbalanced parentheses")
        return args, tokens[1:]

    def _lookup(self, table: Mapping[str, Any], what: str, args: list[Any]) -> Any:
        key = str(args[0]).casefold()
        if key not in table:
            raise Unresolvable(f"{what} {args[0]!r} has no value")
        value = self.resolve(table[key])
        if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
            raise Unresolvable(f"{what} {args[0]!r} is itself unresolved: {value}")
        return value


def _resource_id(args: list[Any]) -> str:
    """`resourceId([sub], [rg], type, name...)` as the relative id `type/name/...` (no subscription is "
    "known)."""
    index = next((i for i, a in enumerate(args) if "/" in str(a)), None)
    if index is None:
        raise Unresolvable("resourceId() without a resource type")
    return "/".join(str(a) for a in args[index:])


def _concat(args: list[Any]) -> list[Any]:
    if all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    raise Unresolvable("concat of mixed types")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Unresolvable(f"expected a boolean, got {value!r}")
