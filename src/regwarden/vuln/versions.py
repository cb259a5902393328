"""Version ordering per ecosystem: univers' implementations, and ours where univers disagrees with the ecosystem.

`compare(scheme, a, b)` answers -1/0/1 or raises `VersionError` naming the version that did not parse; the
matcher turns that into a reported unknown, never a silent "not affected". Parsed versions are cached: a scan
compares the same installed and fixed versions many times. RPM (`rpm_versions`), Alpine (`apk_versions`), PyPI
(`pypi_versions`) and Packagist (`composer_versions`) use our own orderings, so that a version is refused only
when the ecosystem's own tool refuses it; Maven's `release` qualifier and Go's `v` prefix are rewritten before
univers sees them. The first three parse a version into a plain sort key, which keeps comparisons cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

from univers.versions import (
    DebianVersion,
    MavenVersion,
    NugetVersion,
    RubygemsVersion,
    SemverVersion,
)

from regwarden.model.errors import BadInputError
from regwarden.vuln.apk_versions import apk_key
from regwarden.vuln.composer_versions import ComposerVersion
from regwarden.vuln.pypi_versions import pypi_key
from regwarden.vuln.rpm_versions import rpm_key


class Ordered(Protocol):
    """A parsed version: all `compare` needs is `<`."""

    def __lt__(self, other: Any, /) -> bool: ...


_SCHEMES: dict[str, Callable[[str], Ordered]] = {
    "deb": DebianVersion,
    "apk": apk_key,  # ours: univers refuses what apk-tools orders (`_git` suffixes, `1.0_blah`; see apk_versions)
    "rpm": rpm_key,  # ours: univers refuses a `:` that is no epoch (`a:1`, modular strings) and has `1` = `1-`
    "pypi": pypi_key,  # ours: PEP 440 plus pip's legacy ordering of pre-PEP 440 releases (see pypi_versions)
    "semver": SemverVersion,
    "maven": MavenVersion,
    "gem": RubygemsVersion,
    "nuget": NugetVersion,
    "composer": ComposerVersion,  # ours: univers orders Composer versions as semver (see composer_versions)
}
# Maven treats the qualifier `release` like `ga` and `final` (no qualifier); univers knows only the latter two.
_MAVEN_RELEASE = re.compile(r"(?<![A-Za-z])release(?![A-Za-z])", re.IGNORECASE)
# A gem's platform as Gemfile.lock and other tools' SBOMs append it (`1.15.4-x86_64-linux`, `1.13.10-java`,
# `1.16.0-arm64-darwin`, `1.15.0-x64-mingw-ucrt`): not part of the version, and not a pre-release either.
_GEM_PLATFORM = re.compile(
    r"-(?:[a-z0-9_]+-)?(?:linux|darwin|mingw\d*|mswin\d*|java|jruby|freebsd\d*|openbsd\d*|solaris\d*|cygwin)"
    r"(?:-[a-z0-9_]+)?$"
)
# OSV base ecosystem -> the scheme its ECOSYSTEM ranges are written in.
_ECOSYSTEM_SCHEMES = {
    "Debian": "deb",
    "Ubuntu": "deb",
    "Alpine": "apk",
    "Wolfi": "apk",
    "Chainguard": "apk",
    "Red Hat": "rpm",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "SUSE": "rpm",
    "openSUSE": "rpm",
    "Photon OS": "rpm",
    "Mageia": "rpm",
    "openEuler": "rpm",
    "PyPI": "pypi",
    "npm": "semver",
    "Go": "semver",
    "crates.io": "semver",
    "Maven": "maven",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Packagist": "composer",
}

# A Go toolchain release as `go version` and other tools' SBOMs spell it: `go1.21.3`, `go1.20`, `go1.21rc2`.
_GO_RELEASE = re.compile(r"^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$")


class VersionError(BadInputError):
    """A version string that its ecosystem's scheme cannot order."""


def scheme_for(base_ecosystem: str, range_type: str = "ECOSYSTEM") -> str | None:
    """The ordering scheme of a range: SEMVER ranges are semver everywhere; None when we have no ordering."""
    if range_type == "SEMVER":
        return "semver"
    if range_type != "ECOSYSTEM":
        return None
    return _ECOSYSTEM_SCHEMES.get(base_ecosystem)


@lru_cache(maxsize=200_000)
def parse_version(scheme: str, text: str) -> Ordered:
    """The parsed version or sort key of `text`; raises VersionError when the ecosystem refuses it."""
    cls = _SCHEMES.get(scheme)
    if cls is None:
        raise VersionError(f"no version ordering for scheme {scheme!r}")
    try:
        return cls(_normalise(scheme, text.strip()))
    except Exception:  # univers raises InvalidVersion, ValueError or TypeError depending on the scheme
        raise VersionError(f"{text!r} is not a valid {scheme} version") from None


def _normalise(scheme: str, text: str) -> str:
    """Spellings univers rejects or misreads, rewritten to the spelling it orders as the ecosystem does."""
    if scheme == "semver":
        # Go writes `v1.2.3`; OSV SEMVER ranges drop the `v` (build metadata such as `+incompatible` stays and,
        # as semver says, takes no part in ordering).
        return text.removeprefix("v")
    if scheme == "maven":
        return _MAVEN_RELEASE.sub("ga", text)
    if scheme == "gem":
        return _GEM_PLATFORM.sub("", text)
    return text


@lru_cache(maxsize=500_000)
def compare(scheme: str, left: str, right: str) -> int:
    """-1, 0 or 1 as `left` sorts before, with or after `right`; raises VersionError."""
    a, b = parse_version(scheme, left), parse_version(scheme, right)
    # Equality by "neither is lower", not `==`: semver build metadata differs textually but not in order.
    try:
        if a < b:
            return -1
        if b < a:
            return 1
    except TypeError:  # univers parses some spellings (an empty NuGet version) into objects it cannot order
        raise VersionError(f"{left!r} and {right!r} cannot be ordered as {scheme} versions") from None
    return 0


def same_version(scheme: str | None, left: str, right: str) -> bool:
    """Whether two spellings name the same version (`1.0` and `1.0.0` in PyPI); exact text without a scheme."""
    if left == right:
        return True
    if scheme is None:
        return False
    try:
        return compare(scheme, left, right) == 0
    except VersionError:
        return False


def go_release_semver(version: str) -> str:
    """A Go release as the Go vulnerability database's stdlib ranges write it: `go1.20` -> `1.20.0`,
    `go1.21rc2` -> `1.21.0-rc.2`. Anything else (already `1.21.3`, or unrecognised) is returned unchanged."""
    found = _GO_RELEASE.match(version.strip())
    if found is None:
        return version
    major, minor, patch, stage, number = found.groups()
    release = f"{major}.{minor or 0}.{patch or 0}"
    return f"{release}-{stage}.{number}" if stage else release
