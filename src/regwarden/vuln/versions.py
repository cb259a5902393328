"""Version ordering per ecosystem, on univers' implementations of each scheme.

`compare(scheme, a, b)` answers -1/0/1 or raises `VersionError` naming the version that did not parse; the
matcher turns that into a reported unknown, never a silent "not affected". Parsed versions are cached: a scan
compares the same installed and fixed versions many times.
"""

from __future__ import annotations

from functools import lru_cache

from univers.versions import (
    AlpineLinuxVersion,
    ComposerVersion,
    DebianVersion,
    MavenVersion,
    NugetVersion,
    PypiVersion,
    RpmVersion,
    RubygemsVersion,
    SemverVersion,
    Version,
)

from regwarden.model.errors import BadInputError

_SCHEMES: dict[str, type[Version]] = {
    "deb": DebianVersion,
    "apk": AlpineLinuxVersion,
    "rpm": RpmVersion,
    "pypi": PypiVersion,
    "semver": SemverVersion,
    "maven": MavenVersion,
    "gem": RubygemsVersion,
    "nuget": NugetVersion,
    "composer": ComposerVersion,
}
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
def parse_version(scheme: str, text: str) -> Version:
    """The univers version object for `text`; raises VersionError when it does not parse."""
    cls = _SCHEMES.get(scheme)
    if cls is None:
        raise VersionError(f"no version ordering for scheme {scheme!r}")
    cleaned = text.strip()
    if scheme == "semver":
        # Go writes `v1.2.3`; OSV SEMVER ranges drop the `v` (build metadata such as `+incompatible` stays and,
        # as semver says, takes no part in ordering).
        cleaned = cleaned.removeprefix("v")
    try:
        return cls(cleaned)
    except Exception:  # univers raises InvalidVersion, ValueError or TypeError depending on the scheme
        raise VersionError(f"{text!r} is not a valid {scheme} version") from None


@lru_cache(maxsize=500_000)
def compare(scheme: str, left: str, right: str) -> int:
    """-1, 0 or 1 as `left` sorts before, with or after `right`; raises VersionError."""
    a, b = parse_version(scheme, left), parse_version(scheme, right)
    # Equality by "neither is lower", not `==`: semver build metadata differs textually but not in order.
    if a < b:
        return -1
    if b < a:
        return 1
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
