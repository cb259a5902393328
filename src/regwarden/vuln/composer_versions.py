"""Packagist (Composer) version ordering: PHP's `version_compare` on Composer-normalised versions.

univers orders Composer versions as semver, which is wrong for two shapes Packagist advisories use: a fourth
numeric part (`6.3.0.1`) becomes build metadata and so takes no part in ordering, and a patch suffix
(`2.4.5-p1`, Magento's security releases) becomes a pre-release that sorts *before* `2.4.5`.

The rules kept here, from PHP's documented `version_compare` and Composer's normaliser:
- a leading `v` is dropped, and so is build metadata after a `+` (`1.0.0+bedrock-1.17.10` is `1.0.0`);
- `-`, `_` and any other non-alphanumeric character separate parts, and so does every change between digits and
  letters (`1.0rc1` is `1.0.rc.1`);
- the leading numeric parts are padded to four, as Composer does, so `1.0` equals `1.0.0.0`;
- numbers compare as numbers; words rank dev < alpha (a) < beta (b) < RC < a number < patch (pl, p), matched
  by prefix, case-insensitively; any other word ranks below dev;
- when one version runs out of parts, a remaining number makes the longer one newer, and a remaining word is
  ranked against a number (so `1.0.0-RC1` < `1.0.0` < `1.0.0-p1`).
"""

from __future__ import annotations

import re
from functools import total_ordering

_SEPARATOR = re.compile(r"[^0-9A-Za-z]+")
_RUN = re.compile(r"[0-9]+|[A-Za-z]+")
# Prefix -> rank, longest prefixes first where they share a letter (`alpha` before `a`, `pl` before `p`).
_WORD_RANKS = (("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("rc", 3), ("pl", 5), ("p", 5))
_NUMBER_RANK = 4
_UNKNOWN_RANK = -1
_PADDED_LENGTH = 4


class ComposerVersionError(ValueError):
    """A string with no digits or letters at all."""


@total_ordering
class ComposerVersion:
    """One Packagist version, ordered as Composer orders it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = _parts(text)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComposerVersion):
            return NotImplemented
        return _compare(self.parts, other.parts) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ComposerVersion):
            return NotImplemented
        return _compare(self.parts, other.parts) < 0

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"ComposerVersion({self.text!r})"


def _parts(text: str) -> tuple[int | str, ...]:
    stripped = text.strip()
    if stripped[:1] in ("v", "V") and stripped[1:2].isdigit():
        stripped = stripped[1:]
    if stripped.find("+") > 0:
        stripped = stripped.split("+", 1)[0]
    runs: list[int | str] = []
    for chunk in _SEPARATOR.split(stripped):
        runs += [int(run) if run.isdigit() else run.lower() for run in _RUN.findall(chunk)]
    if not runs:
        raise ComposerVersionError(f"{text!r} has no version parts")
    leading = next((index for index, part in enumerate(runs) if isinstance(part, str)), len(runs))
    padding: list[int | str] = [0] * max(0, _PADDED_LENGTH - leading)
    return tuple(runs[:leading] + padding + runs[leading:])


def _compare(left: tuple[int | str, ...], right: tuple[int | str, ...]) -> int:
    for a, b in zip(left, right, strict=False):
        order = _compare_part(a, b)
        if order:
            return order
    if len(left) == len(right):
        return 0
    # The longer one's next part decides: a number is newer than nothing, a word is ranked against a number.
    if len(left) > len(right):
        return 1 if isinstance(left[len(right)], int) else _sign(_rank(left[len(right)]) - _NUMBER_RANK)
    return -1 if isinstance(right[len(left)], int) else _sign(_NUMBER_RANK - _rank(right[len(left)]))


def _compare_part(a: int | str, b: int | str) -> int:
    if isinstance(a, int) and isinstance(b, int):
        return _sign(a - b)
    return _sign(_rank(a) - _rank(b))


def _rank(part: int | str) -> int:
    if isinstance(part, int):
        return _NUMBER_RANK
    return next((rank for prefix, rank in _WORD_RANKS if part.startswith(prefix)), _UNKNOWN_RANK)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)
