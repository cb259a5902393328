"""A small evaluator for the ARM template expressions a registry definition usually holds.

Supported: string/number literals, `parameters()`, `variables()`, `concat`, `format`, `toLower`,
`toUpper`, `string`, `bool`, `int`, `true()`, `false()`, `null()`, `empty`, `createObject`, `createArray`,
`resourceId` (as a relative `type/name` id), `if` (only the branch taken is evaluated, as in ARM), `equals`,
`not`, `and`, `or`, `coalesce`, `tryGet`, `length`, `copyIndex` (inside an expanded `copy` loop), and
property access / indexing on their results (`parameters('ipRules').defaultAction`).
Anything else (e.g. `resourceGroup().location`, `reference()`, `uniqueString()`) raises `Unresolvable`: the
caller keeps the original string, which the ARM adapter turns into an UNRESOLVED value, never a FAIL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from regwarden.collect.azure.functions import (
    Unknown,
    Unresolvable,
    as_text,
    boolean,
    concat,
    create_object,
    empty,
    length_of,
    loop_count,
    member,
    property_loops,
    resource_id,
    try_get,
)

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+)|(?P<name>[A-Za-z_][\w]*)|(?P<op>[(),.\[\]]))")


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

    def __init__(
        self, parameters: Mapping[str, Any], variables: Mapping[str, Any], indexes: Mapping[str, int] | None = None
    ) -> None:
        self._parameters = {k.casefold(): v for k, v in parameters.items()}
        self._variables = {k.casefold(): v for k, v in variables.items()}
        self._indexes = dict(indexes or {})
        """`copyIndex()` values of the loops being expanded: "" for the resource's own loop, else by name."""
        self._functions: dict[str, Callable[[list[Any]], Any]] = {
            "parameters": lambda a: self._lookup(self._parameters, "parameter", a),
            "variables": lambda a: self._lookup(self._variables, "variable", a),
            "concat": lambda a: "".join(str(x) for x in a) if all(isinstance(x, str) for x in a) else concat(a),
            "format": lambda a: re.sub(r"\{(\d+)\}", lambda m: as_text(a[int(m.group(1)) + 1]), str(a[0])),
            "tolower": lambda a: str(a[0]).lower(),
            "toupper": lambda a: str(a[0]).upper(),
            "string": lambda a: as_text(a[0]),
            "int": lambda a: int(a[0]),
            "bool": lambda a: a[0] if isinstance(a[0], bool) else str(a[0]).lower() == "true",
            "true": lambda a: True,
            "false": lambda a: False,
            "null": lambda a: None,
            "empty": lambda a: empty(a[0]),
            "createobject": create_object,
            "createarray": lambda a: list(a),
            # Conditions on resources and modules are usually built from these.
            "equals": lambda a: a[0] == a[1],  # case-sensitive for strings, as in ARM
            "not": lambda a: not boolean(a[0]),
            "and": lambda a: all(boolean(x) for x in a),
            "or": lambda a: any(boolean(x) for x in a),
            "coalesce": lambda a: next((x for x in a if x is not None), None),
            "tryget": try_get,
            "length": lambda a: length_of(a[0]),
            "copyindex": self._copy_index,
            "resourceid": resource_id,
            "subscriptionresourceid": resource_id,
        }

    def at_index(self, loop: str | None, index: int) -> Evaluator:
        """An evaluator for one iteration of a `copy` loop (`loop` is its name; None for the resource's own)."""
        indexes = {**self._indexes, "": index, **({loop.casefold(): index} if loop else {})}
        return Evaluator(self._parameters, self._variables, indexes)

    def resolve(self, node: Any) -> Any:
        """Resolve every expression inside `node`; unresolvable strings are kept as written."""
        if isinstance(node, Mapping) and property_loops(node):
            resolved = {key: self.resolve(value) for key, value in node.items() if key != "copy"}
            resolved.update(self._expand(loop) for loop in node["copy"])
            return resolved
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

    def _expand(self, loop: Mapping[str, Any]) -> tuple[str, Any]:
        """A property `copy` loop (`{"name": "logs", "count": n, "input": {...}}`) as its list; an unknown count
        leaves the property as that count's expression, which readers report as unresolved."""
        name, count = str(loop["name"]), loop_count(self.resolve(loop.get("count")))
        if count is None:
            raw = loop.get("count")
            return name, raw if isinstance(raw, str) and raw.startswith("[") else f"[copy count {raw!r}]"
        indexed = {**self._indexes, name.casefold(): 0}
        items = []
        for index in range(count):
            indexed[name.casefold()] = index
            items.append(Evaluator(self._parameters, self._variables, indexed).resolve(loop["input"]))
        return name, items

    def _copy_index(self, args: list[Any]) -> int:
        loop = next((str(a).casefold() for a in args if isinstance(a, str)), "")
        offset = next((a for a in args if isinstance(a, int) and not isinstance(a, bool)), 0)
        if loop not in self._indexes:
            raise Unresolvable(f"copyIndex({loop}) outside its loop")
        return self._indexes[loop] + offset

    def evaluate(self, expression: str) -> Any:
        tokens = _tokens(expression[1:-1])
        value, rest = self._expression(tokens)
        if rest:
            raise Unresolvable(f"unsupported syntax in {expression}")
        if isinstance(value, Unknown):
            raise Unresolvable(value.reason)
        return value

    def _expression(self, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        """Parse one expression; a value that cannot be known is returned as `Unknown`, so the parse goes on
        (an `if` whose untaken branch is unknowable still has a value)."""
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
        return self._accessors(self._call(text, args), rest)

    def _call(self, name: str, args: list[Any]) -> Any:
        if name.casefold() == "if" and len(args) == 3:
            condition = args[0]
            if isinstance(condition, Unknown) or not isinstance(condition, bool):
                return condition if isinstance(condition, Unknown) else Unknown(f"if() on {condition!r}")
            return args[1] if condition else args[2]
        function = self._functions.get(name.casefold())
        if function is None:
            return Unknown(f"function {name}() is not evaluated statically")
        unknown = next((a for a in args if isinstance(a, Unknown)), None)
        if unknown is not None:
            return unknown
        try:
            return function(args)
        except (Unresolvable, IndexError, ValueError, TypeError) as exc:
            return Unknown(str(exc))

    def _accessors(self, value: Any, tokens: list[tuple[str, str]]) -> tuple[Any, list[tuple[str, str]]]:
        """`.property` and `[index]` after a call, applied left to right."""
        while tokens and tokens[0] in (("op", "."), ("op", "[")):
            if tokens[0] == ("op", "."):
                if len(tokens) < 2 or tokens[1][0] != "name":
                    raise Unresolvable("expected a property name after '.'")
                key, tokens = tokens[1][1], tokens[2:]
            else:
                key, tokens = self._expression(tokens[1:])
                if not tokens or tokens[0] != ("op", "]"):
                    raise Unresolvable("unbalanced brackets")
                tokens = tokens[1:]
            value = member(value, key)
        return value, tokens

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
