"""`--filter 'REPO_REGEX:TAG_REGEX'` as `acr purge` reads it.

- The filter splits at its one colon that is not regex syntax: a colon inside a character class (`[:]`) or closing
  a group opener (`(?:…)`, `(?i:…)`) belongs to the expression. No such colon, or more than one, is an error, as
  are an empty repository or tag part.
- The repository expression is anchored (`^(…)$`: it must match the whole name); the tag expression is not (it
  may match anywhere in a tag: `1\\.` selects `v1.2` too).
- Several filters naming the same repository are one tag expression joined with `|`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from regwarden.model.errors import BadInputError

_GROUP_FLAGS = frozenset("imsxauLU-")


@dataclass(frozen=True)
class Filter:
    repository: str
    tag: str


@dataclass(frozen=True)
class RepositorySelection:
    """The tag expression that applies to one repository (every matching filter's, joined)."""

    repository: str
    tag_pattern: re.Pattern[str]


def parse_filter(text: str) -> Filter:
    """Split `REPO:TAG` at its one separating colon and check both parts compile."""
    colons = _separating_colons(text)
    if len(colons) != 1:
        raise BadInputError(f"--filter {text!r}: expected REPOSITORY_REGEX:TAG_REGEX (one separating colon)")
    at = colons[0]
    repository, tag = text[:at], text[at + 1 :]
    if not repository:
        raise BadInputError(f"--filter {text!r}: missing repository name/expression")
    if not tag:
        raise BadInputError(f"--filter {text!r}: missing tag name/expression")
    _compile(f"^(?:{repository})$", text, "repository")
    _compile(tag, text, "tag")
    return Filter(repository, tag)


def select_repositories(filters: Sequence[Filter], repositories: Iterable[str]) -> list[RepositorySelection]:
    """The repositories some filter's (anchored) repository expression matches, each with its joined tag
    expression; in name order."""
    anchored = [(_compile(f"^(?:{f.repository})$", f.repository, "repository"), f.tag) for f in filters]
    chosen: list[RepositorySelection] = []
    for name in sorted(set(repositories)):
        tags = [tag for pattern, tag in anchored if pattern.match(name)]
        if tags:
            chosen.append(RepositorySelection(name, _compile("|".join(tags), " | ".join(tags), "tag")))
    return chosen


def _separating_colons(text: str) -> list[int]:
    """Positions of colons outside character classes and not part of a `(?flags:` group opener."""
    found: list[int] = []
    in_class = False
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if in_class:
            in_class = char != "]" or _class_is_empty_so_far(text, position)
        elif char == "[":
            in_class = True
        elif char == ":" and not _closes_group_opener(text, position):
            found.append(position)
        position += 1
    return found


def _class_is_empty_so_far(text: str, position: int) -> bool:
    """A `]` right after `[` or `[^` is a literal member of the class, not its end."""
    opener = text.rfind("[", 0, position)
    return text[opener + 1 : position] in ("", "^")


def _closes_group_opener(text: str, position: int) -> bool:
    start = position
    while start > 0 and text[start - 1] in _GROUP_FLAGS:
        start -= 1
    return start >= 2 and text[start - 2 : start] == "(?"


def _compile(expression: str, shown: str, part: str) -> re.Pattern[str]:
    try:
        return re.compile(expression)
    except re.error as error:
        raise BadInputError(f"--filter {shown!r}: the {part} part is not a regular expression: {error}") from None
