"""Alpine (apk) version ordering, as apk-tools compares package versions.

apk-tools reads a version as tokens in a fixed grammar:

    version  = number ('.' number)* letter? ('_' suffix number?)* ('~' commit)? ('-r' number)?
    suffixes = alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p

and compares two versions token by token. Numbers compare as numbers, except that a number after a `.` with a
leading zero compares as text (`1.02` < `1.1`); letters, suffixes, revisions as their rank; a commit id as text.
At the first position where the two have different kinds of token, the one whose token is a pre-release suffix is
older; otherwise the one whose token comes later in the grammar is older (`1.0a` < `1.0.1`, `1.0` < `1.0-r0`,
`1.0-r0` < `1.0.1`), and the end of the string comes after every token.

A string that leaves the grammar is still ordered, as apk-tools orders it: its tokens up to that point count, and
the rest is one "invalid" token that is older than anything but a pre-release suffix (`1.0_blah` < `1.0`). One
grammar departure is read the way apk-tools 2 (Alpine up to 3.22) read it: digits right after a letter are a
number (`6.0.2p1-r3`, used by old aports), where apk-tools 3 stops ordering. A string that does not start with a
number has no place in apk-tools' order (it holds every such string equal to every other), so it is refused.

Each version becomes a key that sorts as apk-tools orders it, so comparing two parsed versions is one tuple
comparison. Numbers compare exactly; apk-tools wraps those above 2**64.
"""

from __future__ import annotations

import re

ApkKey = tuple[tuple[object, ...], ...]


class ApkVersionError(ValueError):
    """A string that does not start with a number."""


# Token kinds in grammar order: a token may follow only tokens of a lower kind (numbers and suffixes may repeat).
# Plain ints rather than an enum: they are compared for every character of every version parsed.
_FIRST_NUMBER, _NUMBER, _LETTER, _SUFFIX, _SUFFIX_NUMBER, _COMMIT, _REVISION, _END, _INVALID = range(9)
_SUFFIXES = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 10, "svn": 11, "git": 12, "hg": 13, "p": 14}
"""Suffix order; below 10 are pre-releases, older than no suffix at all."""
_POST_RELEASE = 10
_DIGITS = re.compile(r"[0-9]+")
_WORD = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9a-fA-F]+")
# A token's rank is minus its kind, so that at the first difference in kind the later kind is older; a
# pre-release suffix ranks below everything, even the end and an invalid rest.
_PRE_RELEASE_RANK = -_INVALID - 1
_END_KEY = (-_END,)
_INVALID_KEY = (-_INVALID,)

_Token = tuple[int, tuple[object, ...], int]
"""Kind, the token's part of the key (rank and value), and where the next token starts."""


def apk_key(text: str) -> ApkKey:
    """The sort key of an apk version: one (rank, value) pair per token, ending with the end or an invalid token."""
    first = _DIGITS.match(text)
    if first is None:
        raise ApkVersionError(f"{text!r} does not start with a number")
    key: list[tuple[object, ...]] = [(-_FIRST_NUMBER, int(first[0]))]
    kind, position, length = _FIRST_NUMBER, first.end(), len(text)
    while position < length:
        token = _next_token(text, position, kind)
        if token is None:
            key.append(_INVALID_KEY)
            return tuple(key)
        kind, element, position = token
        key.append(element)
    key.append(_END_KEY)
    return tuple(key)


def _next_token(text: str, position: int, previous: int) -> _Token | None:
    """The token at `position` if the grammar allows it after `previous`, else None (the rest is invalid)."""
    char = text[position]
    if char == "." and previous <= _NUMBER:
        return _number(text, position + 1, _NUMBER)
    if "a" <= char <= "z" and previous <= _NUMBER:
        return _LETTER, (-_LETTER, char), position + 1
    if "0" <= char <= "9" and previous in (_LETTER, _SUFFIX):
        # After a letter: apk-tools 2's reading (see the module docstring); after a suffix: the suffix's number.
        return _number(text, position, _NUMBER if previous == _LETTER else _SUFFIX_NUMBER)
    if char == "_" and previous <= _SUFFIX_NUMBER:
        word = _WORD.match(text, position + 1)
        assert word is not None  # `[a-z]*` always matches, possibly empty
        order = _SUFFIXES.get(word[0])
        if order is None:
            return None
        return _SUFFIX, (_PRE_RELEASE_RANK if order < _POST_RELEASE else -_SUFFIX, order), word.end()
    if char == "~" and previous < _COMMIT:
        commit = _HEX.match(text, position + 1)
        return None if commit is None else (_COMMIT, (-_COMMIT, commit[0]), commit.end())
    if text.startswith("-r", position) and previous < _REVISION:
        return _number(text, position + 2, _REVISION)
    return None


def _number(text: str, position: int, kind: int) -> _Token | None:
    digits = _DIGITS.match(text, position)
    if digits is None:
        return None
    if kind == _NUMBER:
        # A leading zero makes the number compare as text; such text always sorts below a number without one.
        value = (0, digits[0]) if digits[0][0] == "0" else (1, int(digits[0]))
        return kind, (-kind, value), digits.end()
    return kind, (-kind, int(digits[0])), digits.end()
