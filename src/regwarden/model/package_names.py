"""Package name spellings that decide whether two names are the same package."""

from __future__ import annotations

import re

_PEP503_SEPARATORS = re.compile(r"[-_.]+")


def pep503_name(name: str) -> str:
    """A PyPI project name per PEP 503: runs of `-`, `_`, `.` become one `-`, lower case (`Foo__Bar` → `foo-bar`).

    The cataloger writes it into purls and the matcher looks advisories up by it, so both must use this one.
    """
    return _PEP503_SEPARATORS.sub("-", name).lower()
