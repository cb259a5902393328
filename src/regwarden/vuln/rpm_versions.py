"""RPM version ordering, as rpm orders `[epoch:]version[-release]` strings (`rpm.vercmp`, `rpmverCmp`).

Splitting, as rpm's EVR parser does it: an epoch is the run of digits at the very start, and only when a `:`
follows it (`a:1` and `1.module+el9.4.0+…:1` have no epoch: the colon is part of the version); an empty epoch
(`:1`) is 0, and so is a missing one. The release is whatever follows the *last* `-`. Epochs compare as numbers,
then versions, then releases, each with rpm's segment comparison; a version with a release, even an empty one
(`1-`), is newer than the same version with none (`1`). rpm refuses only the empty string.

Segment comparison (`rpmvercmp`): a version is a run of segments, each all digits or all ASCII letters; any other
character only separates (`1.0` = `1_0`, non-ASCII letters included). Numbers compare as numbers (leading zeros
ignored) and are newer than letters; letters compare as text. `~` sorts before everything, even the end (`1.0~rc1`
< `1.0`); `^` sorts after the end but before any further segment (`1.0` < `1.0^git1` < `1.0.1`). When one version
runs out, the one with segments left is newer.

Each version becomes a key that sorts as rpm orders it, so comparing two parsed versions is one tuple comparison.
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+|[~^]")
_LEADING_DIGITS = re.compile(r"[0-9]*")
# Rank of one position of a version; the key compares ranks first, so these encode rpmvercmp's precedence.
_TILDE, _END, _CARET, _LETTERS, _NUMBER = range(5)
_NO_RELEASE: tuple[tuple[int | str, ...], ...] = ((-1,),)
"""Sorts below every release, even an empty one: rpm ranks a missing release below any present one."""

Segments = tuple[tuple[int | str, ...], ...]
RpmKey = tuple[int, Segments, Segments]


class RpmVersionError(ValueError):
    """The empty string: the only one rpm's EVR parser refuses."""


def rpm_key(text: str) -> RpmKey:
    """The sort key of an EVR string: (epoch, version segments, release segments)."""
    if not text:
        raise RpmVersionError("an empty string is not an rpm version")
    epoch, version, release = split_evr(text)
    return epoch, segments_key(version), _NO_RELEASE if release is None else segments_key(release)


def split_evr(text: str) -> tuple[int, str, str | None]:
    """Epoch (0 when absent), version and release (None when there is no `-`), split as rpm splits them."""
    digits = _LEADING_DIGITS.match(text)
    assert digits is not None  # `[0-9]*` always matches, possibly empty
    epoch, rest = 0, text
    if text[digits.end() : digits.end() + 1] == ":":
        epoch, rest = int(digits[0] or "0"), text[digits.end() + 1 :]
    version, dash, release = rest.rpartition("-")
    return (epoch, version, release) if dash else (epoch, rest, None)


def segments_key(text: str) -> Segments:
    """rpmvercmp's view of one version or release: its segments, `~` and `^` marks, and the end."""
    return (*(_segment(found) for found in _SEGMENT.findall(text)), (_END,))


def _segment(text: str) -> tuple[int | str, ...]:
    if text == "~":
        return (_TILDE,)
    if text == "^":
        return (_CARET,)
    if text[0].isdigit():
        significant = text.lstrip("0")
        return _NUMBER, len(significant), significant  # longer is larger, then digit by digit: no int limits
    return _LETTERS, text
