"""Alpine (apk) version ordering, as apk-tools orders package versions.

univers orders apk versions with Gentoo's rules, which know only the suffixes `_alpha _beta _pre _rc _p`:
the post-release snapshot suffixes `_cvs _svn _git _hg` that aports use (`0_git20230512-r0`) do not parse,
and a first number with a leading zero (`006`) is refused. This module implements apk-tools' tokenizer instead:

    version  = number ('.' number)* letter? ('_' suffix number?)* ('-r' number)?
    suffixes = alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p

A number after a `.` that starts with zeros sorts by its count of zeros first (`1.02` < `1.1`: apk reads it as
a fraction). When one version is a prefix of the other, the longer one is newer unless what follows is a
pre-release suffix. A string that does not follow the grammar raises `ApkVersionError`.
"""

from __future__ import annotations

from enum import IntEnum
from functools import total_ordering


class ApkVersionError(ValueError):
    """Not an apk version."""


class _Token(IntEnum):
    # The order matters: after a prefix that is equal, the version whose next token sorts higher is older.
    DOTTED = 0
    NUMBER = 1
    LETTER = 2
    SUFFIX = 3
    SUFFIX_NUMBER = 4
    REVISION = 5
    END = 6


_PRE_RELEASE = ("alpha", "beta", "pre", "rc")
_POST_RELEASE = ("cvs", "svn", "git", "hg", "p")
# Length of the separator that introduces a token (a letter, or digits after a letter or suffix, have none).
_SEPARATORS = {_Token.DOTTED: 1, _Token.SUFFIX: 1, _Token.REVISION: 2}
# What may follow each token; anything else makes the version invalid.
_FOLLOWERS = {
    _Token.DOTTED: {_Token.DOTTED, _Token.NUMBER, _Token.LETTER, _Token.SUFFIX, _Token.REVISION},
    _Token.NUMBER: {_Token.DOTTED, _Token.LETTER, _Token.SUFFIX, _Token.REVISION},
    _Token.LETTER: {_Token.NUMBER, _Token.SUFFIX, _Token.REVISION},
    _Token.SUFFIX: {_Token.SUFFIX, _Token.SUFFIX_NUMBER, _Token.REVISION},
    _Token.SUFFIX_NUMBER: {_Token.SUFFIX, _Token.REVISION},
    _Token.REVISION: set(),
}


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
        return hash(self.text)

    def __repr__(self) -> str:
        return f"ApkVersion({self.text!r})"


def _tokens(text: str) -> tuple[tuple[_Token, int], ...]:
    if not text[:1].isdigit():
        raise ApkVersionError(f"{text!r} does not start with a number")
    tokens: list[tuple[_Token, int]] = []
    kind, position = _Token.NUMBER, 0
    while kind is not _Token.END:
        value, position, follower = _read(text, kind, position)
        tokens.append((kind, value))
        if follower is not _Token.END and follower not in _FOLLOWERS[kind]:
            raise ApkVersionError(f"{text!r} is not an apk version")
        kind = follower
        position += _SEPARATORS.get(kind, 0)
    tokens.append((_Token.END, 0))
    return tuple(tokens)


def _read(text: str, kind: _Token, position: int) -> tuple[int, int, _Token]:
    """The value of the token of `kind` at `position`, where it ends, and the kind of the token after it."""
    if kind is _Token.DOTTED and text[position : position + 1] == "0":
        end = _skip(text, position, "0")
        # Leading zeros: ranked by how many (more zeros, smaller fraction); the digits after are a new number.
        return position - end, end, _Token.NUMBER if end < len(text) and text[end].isdigit() else _next(text, end)
    if kind in (_Token.DOTTED, _Token.NUMBER, _Token.SUFFIX_NUMBER, _Token.REVISION):
        end = _skip(text, position, "0123456789")
        if end == position and kind is not _Token.REVISION:
            raise ApkVersionError(f"{text!r}: expected a number at {position}")
        return int(text[position:end] or 0), end, _next(text, end, kind)
    if kind is _Token.LETTER:
        return ord(text[position]), position + 1, _next(text, position + 1, kind)
    return _suffix(text, position)


def _suffix(text: str, position: int) -> tuple[int, int, _Token]:
    for rank, name in enumerate(_PRE_RELEASE):
        if text.startswith(name, position):
            return rank - len(_PRE_RELEASE), position + len(name), _next(text, position + len(name), _Token.SUFFIX)
    for rank, name in enumerate(_POST_RELEASE):
        if text.startswith(name, position):
            return rank, position + len(name), _next(text, position + len(name), _Token.SUFFIX)
    raise ApkVersionError(f"{text!r}: unknown suffix at {position}")


def _next(text: str, position: int, after: _Token = _Token.DOTTED) -> _Token:
    """The kind of token starting at `position` (a separator, when there is one, is consumed by `_read`)."""
    if position >= len(text):
        return _Token.END
    char = text[position]
    if after in (_Token.NUMBER, _Token.DOTTED) and char.islower() and char.isascii():
        return _Token.LETTER
    if after is _Token.LETTER and char.isdigit():
        return _Token.NUMBER
    if after is _Token.SUFFIX and char.isdigit():
        return _Token.SUFFIX_NUMBER
    if char == ".":
        return _Token.DOTTED
    if char == "_":
        return _Token.SUFFIX
    if text.startswith("-r", position):
        return _Token.REVISION
    raise ApkVersionError(f"{text!r}: unexpected {char!r} at {position}")


def _skip(text: str, position: int, allowed: str) -> int:
    while position < len(text) and text[position] in allowed:
        position += 1
    return position


def _compare(left: tuple[tuple[_Token, int], ...], right: tuple[tuple[_Token, int], ...]) -> int:
    for (left_kind, left_value), (right_kind, right_value) in zip(left, right, strict=False):
        if left_kind is not right_kind:
            # Equal so far: the one going on is newer, unless it goes on with a pre-release suffix.
            if left_kind is _Token.SUFFIX and left_value < 0:
                return -1
            if right_kind is _Token.SUFFIX and right_value < 0:
                return 1
            return -1 if left_kind > right_kind else 1
        if left_kind is _Token.END:
            return 0
        if left_value != right_value:
            return -1 if left_value < right_value else 1
    return 0
