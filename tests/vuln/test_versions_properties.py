"""Properties every ordering of ours must have, on generated version strings: it is an order, and it refuses only
what the ecosystem's own tool refuses."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from regwarden.vuln.versions import VersionError, compare

# Building blocks close to each scheme's grammar, so that generated strings hit its edge cases (and leave it).
_APK_TOKENS = ["0", "1", "2", "01", "10", ".", "a", "z", "p1", "_alpha", "_rc", "_p", "_git", "~ab1", "-r1"]
_APK_OFF_GRAMMAR = ["_blah", "-r", "-", "A", "~"]
_PYPI_TOKENS = ["0", "1", "2", "00", "10", ".", "-", "_", "a", "b", "rc", "pre", "preview", "dev", "post", "c"]
_PYPI_OFF_PEP440 = ["final", "!", "+", "local", "x", " "]
_PIECES = {
    "rpm": ["0", "1", "2", "01", "10", "a", "b", "el9", "Z", "module", ".", "-", ":", "~", "^", "+", "_", "α"],
    "apk": [*_APK_TOKENS, *_APK_OFF_GRAMMAR],
    "pypi": [*_PYPI_TOKENS, *_PYPI_OFF_PEP440],
    "composer": ["0", "1", "2", "10", ".", "-", "v", "dev", "alpha", "a", "beta", "b", "RC", "rc", "p", "pl", "x"],
}
_SETTINGS = settings(max_examples=100, deadline=None, database=None)


_APK_FIRST = ["0", "1", "2", "01", "10"]
"""apk versions start with a number; the few strings that do not are refused (tested on their own below)."""


def _versions(scheme: str) -> st.SearchStrategy[str]:
    first = st.sampled_from(_APK_FIRST if scheme == "apk" else _PIECES[scheme])
    rest = st.lists(st.sampled_from(_PIECES[scheme]), max_size=7).map("".join)
    return st.builds(str.__add__, first, rest)


def _ordered(scheme: str, left: str, right: str) -> int:
    """compare(), with the strings the scheme refuses left out of the property."""
    try:
        return compare(scheme, left, right)
    except VersionError:
        assume(False)
        raise


@pytest.mark.parametrize("scheme", sorted(_PIECES))
@_SETTINGS
@given(data=st.data())
def test_ordering_is_antisymmetric(scheme: str, data: st.DataObject) -> None:
    left, right = data.draw(_versions(scheme)), data.draw(_versions(scheme))
    assert _ordered(scheme, left, right) == -_ordered(scheme, right, left)


@pytest.mark.parametrize("scheme", sorted(_PIECES))
@_SETTINGS
@given(data=st.data())
def test_ordering_is_transitive(scheme: str, data: st.DataObject) -> None:
    first, second, third = (data.draw(_versions(scheme)) for _ in range(3))
    if _ordered(scheme, first, second) <= 0 and _ordered(scheme, second, third) <= 0:
        assert _ordered(scheme, first, third) <= 0
    if _ordered(scheme, first, second) == 0 and _ordered(scheme, second, third) == 0:
        assert _ordered(scheme, first, third) == 0


@_SETTINGS
@given(text=_versions("rpm"))
def test_rpm_orders_every_non_empty_string(text: str) -> None:
    assert compare("rpm", text, "1.0-1") in (-1, 0, 1)


@_SETTINGS
@given(text=_versions("pypi"))
def test_pypi_orders_every_string(text: str) -> None:
    assert compare("pypi", text, "1.0") in (-1, 0, 1)


@_SETTINGS
@given(text=st.lists(st.sampled_from(_PIECES["apk"]), min_size=1, max_size=8).map("".join))
def test_apk_refuses_only_strings_without_a_leading_number(text: str) -> None:
    if text[0].isdigit():
        assert compare("apk", text, "1.0-r0") in (-1, 0, 1)
    else:
        with pytest.raises(VersionError, match="is not a valid apk version"):
            compare("apk", text, "1.0-r0")
