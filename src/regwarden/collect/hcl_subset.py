"""A fast reader for the plain subset of HCL most Terraform files are written in.

python-hcl2 builds a full lark parse tree and transforms it node by node: about a second per hundred registry
definitions, which dominated `audit acr` on a large configuration. This reader handles blocks, attributes,
quoted strings (with `${a.b}` interpolations), integers, `true`/`false`/`null`, bare names, `a.b.c`
references, lists and objects, and returns exactly the structure python-hcl2 returns for them (its
serialization keeps string quotes, wraps references in `${}` and marks blocks with `__is_block__`).

Anything else (function calls, operators, indexes, heredocs, `%{` directives, floats, ...) makes it give up
on the whole file: the caller then parses that file with python-hcl2, so a file is always read the way
python-hcl2 reads it, and syntax errors are still reported by python-hcl2.
"""

from __future__ import annotations

import re
from typing import Any

BLOCK_MARKER = "__is_block__"

_TOKEN = re.compile(
    r"""(?:[ \t\r]+|\#[^\n]*|//[^\n]*|/\*[^*\n]*\*+(?:[^/*\n][^*\n]*\*+)*/)*"""  # blanks and comments
    r"""(?:(?P<nl>\n)|(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<num>-?\d+(?![\w.]))"""
    r"""|(?P<name>[A-Za-z_][\w-]*(?:\.[A-Za-z0-9_][\w-]*)*)|(?P<punct>[=\[\]{},])|(?P<end>\Z)|(?P<bad>[\s\S]))""",
    re.ASCII,  # identifiers are ASCII here; anything else goes to python-hcl2
)
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_REFERENCE = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z0-9_][\w-]*)+")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class Unsupported(Exception):
    """The text uses HCL this reader does not handle; parse it with python-hcl2 instead."""


def parse_subset(text: str) -> dict[str, Any]:
    """The python-hcl2 `loads` result for `text` (comments dropped, heredocs not preserved)."""
    return _Parser(_tokens(text)).document()


def _tokens(text: str) -> list[tuple[str, str]]:
    # Every character belongs to some match (`bad` takes any the grammar above does not), so the matches
    # cover the text without gaps.
    tokens = [(str(m.lastgroup), m[str(m.lastgroup)]) for m in _TOKEN.finditer(text)]
    if any(kind == "bad" for kind, _ in tokens):
        raise Unsupported("unsupported text")
    tokens.insert(len(tokens) - 1, ("nl", "\n"))  # the last token is `end`
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def document(self) -> dict[str, Any]:
        return self._body(top=True)

    # ------------------------------------------------------------------ bodies and blocks
    def _body(self, *, top: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        blocks: set[str] = set()
        while True:
            kind, text = self._next_skipping_newlines()
            if (kind == "end" and top) or (kind == "punct" and text == "}" and not top):
                return body
            if kind != "name" or "." in text or text in _KEYWORDS:
                raise Unsupported(f"expected an attribute or block, got {text!r}")
            following, value = self.tokens[self.at]
            if following == "punct" and value == "=":
                self.at += 1
                if text in body:
                    raise Unsupported(f"attribute {text} set twice")  # python-hcl2 keeps the last one
                body[text] = self._value()
                self._end_of_attribute()
            else:
                if text in body and text not in blocks:
                    raise Unsupported(f"{text} is both an attribute and a block")
                blocks.add(text)
                body.setdefault(text, []).append(self._block())

    def _block(self) -> dict[str, Any]:
        labels: list[str] = []
        while True:
            kind, text = self._next()
            if kind == "punct" and text == "{":
                break
            if (kind == "str" and "${" not in text and "%{" not in text) or (kind == "name" and "." not in text):
                labels.append(text)
                continue
            raise Unsupported(f"unexpected {text!r} in a block header")
        inner = self._body(top=False)
        inner[BLOCK_MARKER] = True
        for label in reversed(labels):
            inner = {label: inner}
        self._end_of_block()
        return inner

    def _end_of_attribute(self) -> None:
        kind, text = self.tokens[self.at]
        if kind == "nl":
            self.at += 1
        elif not (kind == "punct" and text == "}"):
            raise Unsupported(f"unexpected {text!r} after an attribute")

    def _end_of_block(self) -> None:
        kind, text = self.tokens[self.at]
        if kind not in ("nl", "end") and not (kind == "punct" and text == "}"):
            raise Unsupported(f"unexpected {text!r} after a block")

    # ------------------------------------------------------------------ expressions
    def _value(self) -> Any:
        kind, text = self._next()
        if kind == "str":
            return _string(text)
        if kind == "num":
            return int(text)
        if kind == "name":
            if text in _KEYWORDS:
                return _KEYWORDS[text]
            return f"${{{text}}}" if "." in text else text
        if text == "[":
            return self._list()
        if text == "{":
            return self._object()
        raise Unsupported(f"unsupported value {text!r}")

    def _list(self) -> list[Any]:
        items: list[Any] = []
        while True:
            kind, text = self._next_skipping_newlines()
            if kind == "punct" and text == "]":
                return items
            self.at -= 1
            items.append(self._value())
            kind, text = self._next_skipping_newlines()
            if kind == "punct" and text == "]":
                return items
            if not (kind == "punct" and text == ","):
                raise Unsupported(f"unexpected {text!r} in a list")

    def _object(self) -> dict[str, Any]:
        items: dict[str, Any] = {}
        while True:
            kind, key = self._next_skipping_newlines()
            if kind == "punct" and key == "}":
                return items
            plain_name = kind == "name" and "." not in key and key not in _KEYWORDS
            if not (plain_name or (kind == "str" and "${" not in key and "%{" not in key)) or key in items:
                raise Unsupported(f"unsupported object key {key!r}")
            if self._next() != ("punct", "="):
                raise Unsupported("expected = in an object")
            items[key] = self._value()
            kind, text = self.tokens[self.at]
            if kind == "nl" or (kind == "punct" and text == ","):
                self.at += 1
            elif not (kind == "punct" and text == "}"):
                raise Unsupported(f"unexpected {text!r} in an object")

    # ------------------------------------------------------------------ tokens
    def _next(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        if token[0] == "end":
            raise Unsupported("unexpected end of file")
        self.at += 1
        return token

    def _next_skipping_newlines(self) -> tuple[str, str]:
        while self.tokens[self.at][0] == "nl":
            self.at += 1
        token = self.tokens[self.at]
        if token[0] != "end":
            self.at += 1
        return token


def _string(text: str) -> str:
    """A quoted string as python-hcl2 keeps it: the source text with its quotes and escapes."""
    if "%{" in text or "$${" in text:
        raise Unsupported("template directive or escape")
    if "${" in text:
        # python-hcl2 rewrites what is inside `${}`; a bare reference is the only thing it keeps as written.
        for inner in _INTERPOLATION.findall(text):
            if not _REFERENCE.fullmatch(inner):
                raise Unsupported(f"interpolation {inner!r}")
        if text.count("${") != len(_INTERPOLATION.findall(text)):
            raise Unsupported("unterminated interpolation")
    return text
