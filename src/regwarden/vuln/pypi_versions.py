"""PyPI version ordering: PEP 440, and for the strings PEP 440 rejects, the legacy ordering pip used to apply.

PyPI still serves (and OSV advisories still list) releases from before PEP 440 whose versions it rejects:
`0.9-doduo`, `2013-09-11T19-27-10`, `0.3m1`, `trunk`. pip and setuptools ordered those with a "legacy" scheme
until packaging 22 dropped it; that scheme is kept here, so such versions are ordered rather than unparsable:

- every legacy version sorts before every PEP 440 version (it has epoch -1);
- the lower-cased string is cut into runs of digits, runs of letters, `.` and `-`; anything else stays as text
  between them. `pre`, `preview` and `rc` read as `c`, `dev` as `@`, and `-` as `final-`; dots are dropped;
- numbers compare as zero-padded 8-digit text, every other part as `*` + its text, and `*final` ends the list,
  so text compares below numbers, and `@` (dev) < `alpha` < `beta` < `c` < `final` < `final-` (post-release);
- zeros at the end of a run of numbers are dropped (`1.0` = `1`), and so is a `final-` just before a
  pre-release part (`1.0-a1` = `1.0a1`).

Nothing is refused: the legacy scheme orders any string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.version import InvalidVersion, Version

PypiKey = tuple[int, Version | tuple[str, ...]]

_LEGACY_PART = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_SPELLINGS = {"pre": "c", "preview": "c", "rc": "c", "dev": "@", "-": "final-"}
_PADDED_ZERO = "0" * 8
_FINAL = "*final"
_LEGACY, _PEP440 = 0, 1


def pypi_key(text: str) -> PypiKey:
    """The sort key of a PyPI version: PEP 440's when it is one, else the legacy scheme's (which sorts first)."""
    try:
        return _PEP440, Version(text)
    except InvalidVersion:
        return _LEGACY, legacy_key(text)


def legacy_key(text: str) -> tuple[str, ...]:
    """The legacy scheme's parts for `text` (see the module docstring)."""
    parts: list[str] = []
    for part in _legacy_parts(text.lower()):
        if part.startswith("*"):
            if part < _FINAL:  # a pre-release part: a `-` just before it is not a post-release
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == _PADDED_ZERO:
                parts.pop()
        parts.append(part)
    return tuple(parts)


def _legacy_parts(text: str) -> Iterator[str]:
    for piece in _LEGACY_PART.split(text):
        spelled = _LEGACY_SPELLINGS.get(piece, piece)
        if spelled in ("", "."):
            continue
        yield spelled.zfill(8) if spelled[0] in "0123456789" else "*" + spelled
    yield _FINAL
