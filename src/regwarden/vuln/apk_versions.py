"""Alpine (apk) version ordering, as apk-tools orders package versions.

univers orders apk versions with Gentoo's rules, which know only the suffixes `_alpha _beta _pre _rc _p`:
the post-release snapshot suffixes `_cvs _svn _git _hg` that aports use (`0_git20230512-r0`) do not parse,
and a first number with a leading zero (`006`) is refused. This module follows apk-tools' grammar instead:

    version  = number ('.' number)* letter? ('_' suffix number?)* ('~' commit)? ('-r' number)?
    suffixes = alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p

Numbers compare as numbers, except that a number after a `.` with a leading zero compares as text (`1.02` <
`1.1`). When two versions agree up to where one has more tokens, the longer one is newer unless its next token
is a pre-release suffix; otherwise the one whose next token comes later in the grammar is older (`1.0a` <
`1.0.1`, `1.0` < `1.0-r0`). A string that does not follow the grammar raises `ApkVersionError`.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import total_ordering


class ApkVersionError(ValueError):
    """Not an apk version."""


class _Kind(IntEnum):
    # Grammar order: a token may only follow tokens that sort before it (numbers may repeat, as may suffixes).
    FIRST_NUMBER = 0
    NUMBER = 1
    LETTER = 2
    SUFFIX = 3
    SUFFIX_NUMBER = 4
    COMMIT = 5
    REVISION = 6
    END = 7


_SUFFIXES = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}
"""Suffix rank: negative ones are pre-releases (older than no suffix at all), positive ones come after it."""
_DIGITS = re.compile(r"[0-9]+")
_WORD = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9a-fA-F]+")

_Token = tuple[_Kind, int, str]
"""Kind, numeric value (number, letter code or suffix rank), and the text (for leading zeros and commits)."""


@total_ordering
class ApkVersion:
    """One apk version; raises ApkVersionError when `text` is not one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApkVersion):
            return NotImplemented
        return _compare(self.tokens, other.tokens) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ApkVersion):
            return NotImplemented
        return _compare(self.tokens, other.tokens) < 0

    def __hash__(self) -> int:
        return hash(self.tokens)

    def __repr__(self) -> str:
        return f"ApkVersion({self.text!r})"


def _tokens(text: str) -> tuple[_Token, ...]:
    first = _DIGITS.match(text)
    if first is None:
        raise ApkVersionError(f"{text!r} does not start with a number")
    tokens: list[_Token] = [(_Kind.FIRST_NUMBER, int(first[0]), first[0])]
    position = first.end()
    while position < len(text):
        token, position = _next_token(text, position, tokens[-1][0])
        tokens.append(token)
    tokens.append((_Kind.END, 0, ""))
    return tuple(tokens)


def _next_token(text: str, position: int, previous: _Kind) -> tuple[_Token, int]:
    """The token at `position` (which must be allowed after `previous`) and where the next one starts."""
    char = text[position]
    if "a" <= char <= "z" and previous <= _Kind.NUMBER:
        return (_Kind.LETTER, ord(char), char), position + 1
    if char == "." and previous <= _Kind.NUMBER:
        return _number(text, position + 1, _Kind.NUMBER)
    if char.isdigit() and previous is _Kind.SUFFIX:
        return _number(text, position, _Kind.SUFFIX_NUMBER)
    if char == "_" and previous <= _Kind.SUFFIX_NUMBER:
        word = _WORD.match(text, position + 1)
        assert word is not None  # `[a-z]*` always matches, possibly empty
        if word[0] not in _SUFFIXES:
            raise ApkVersionError(f"{text!r}: unknown suffix {word[0]!r}")
        return (_Kind.SUFFIX, _SUFFIXES[word[0]], word[0]), word.end()
    if char == "~" and previous < _Kind.COMMIT:
        commit = _HEX.match(text, position + 1)
        if commit is None:
            raise ApkVersionError(f"{text!r}: `~` without a commit hash")
        return (_Kind.COMMIT, 0, commit[0]), commit.end()
    if text.startswith("-r", position) and previous < _Kind.REVISION:
        return _number(text, position + 2, _Kind.REVISION)
    raise ApkVersionError(f"{text!r} is not an apk version (unexpected {char!r} at {position})")


def _number(text: str, position: int, kind: _Kind) -> tuple[_Token, int]:
    digits = _DIGITS.match(text, position)
    if digits is None:
        raise ApkVersionError(f"{text!r}: expected a number at {position}")
    return (kind, int(digits[0]), digits[0]), digits.end()


def _compare(left: tuple[_Token, ...], right: tuple[_Token, ...]) -> int:
    for (left_kind, left_value, left_text), (right_kind, right_value, right_text) in zip(left, right, strict=False):
        if left_kind is not right_kind:
            # Equal so far: the one going on is newer, unless it goes on with a pre-release suffix.
            if left_kind is _Kind.SUFFIX and left_value < 0:
                return -1
            if right_kind is _Kind.SUFFIX and right_value < 0:
                return 1
            return -1 if left_kind > right_kind else 1
        if left_kind is _Kind.END:
            return 0
        order = _compare_token(left_kind, (left_value, left_text), (right_value, right_text))
        if order:
            return order
    return 0


def _compare_token(kind: _Kind, left: tuple[int, str], right: tuple[int, str]) -> int:
    if kind is _Kind.COMMIT or (kind is _Kind.NUMBER and "0" in (left[1][:1], right[1][:1])):
        # A commit id, or a number after `.` with a leading zero (a fraction), compares as text.
        return (left[1] > right[1]) - (left[1] < right[1])
    return (left[0] > right[0]) - (left[0] < right[0])
