"""Which OSV ecosystem and name an SBOM package is filed under, and which advisory releases apply to an image.

The store indexes every advisory `affected[]` entry by `index_key(ecosystem, name)`; the matcher asks for
the keys of `lookup_keys(package, os)`. Both sides go through `index_key`, so a spelling rule added here
applies to both.

Choices made here (OSV ecosystem list: https://ossf.github.io/osv-schema/#affectedpackage-field):
- OS packages are looked up by their distribution, never across distributions: a deb in an Ubuntu image is
  looked up under `Ubuntu` only, an rpm in a Rocky image under `Rocky Linux` only.
- Debian, Ubuntu and Alpine advisories are keyed by SOURCE package, so deb/apk look up the source name and
  compare the source version. rpm advisories (Red Hat, AlmaLinux, Rocky) name binary packages, so rpm looks
  up both the binary and the source rpm name, each with its own version.
- A language package `owned_by` an OS package (Debian's python3-yaml ships PyYAML) is NOT looked up as a
  language package: the distribution backports fixes without changing the upstream version, so PyPI/npm
  ranges would report fixed code as vulnerable. The OS advisory for the owning package is the authority. The
  cost: a distro that does not track an upstream advisory yields no finding for it (a false negative we
  accept over a flood of false positives).
- An ecosystem without a release suffix (`Debian`, `Alpine`) applies to every release of that distribution,
  as the OSV schema describes the suffix as an optional scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from packageurl import PackageURL

from regwarden.model.package_names import pep503_name
from regwarden.model.sbom import OperatingSystem, Package, PackageType
from regwarden.vuln.versions import go_release_semver

# os-release ID -> OSV base ecosystem per package format; an unlisted ID has no OS advisories we can use.
_OS_ECOSYSTEMS: dict[PackageType, dict[str, str]] = {
    PackageType.DEB: {"debian": "Debian", "ubuntu": "Ubuntu"},
    PackageType.APK: {"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard"},
    PackageType.RPM: {
        "rhel": "Red Hat",
        "rocky": "Rocky Linux",
        "almalinux": "AlmaLinux",
        "sles": "SUSE",
        "opensuse-leap": "openSUSE",
        "opensuse-tumbleweed": "openSUSE",
        "photon": "Photon OS",
        "mageia": "Mageia",
        "openeuler": "openEuler",
    },
}
OS_ECOSYSTEMS: frozenset[str] = frozenset(name for table in _OS_ECOSYSTEMS.values() for name in table.values())
"""Base ecosystems whose advisories are scoped to one distribution (and optionally one release of it)."""

_LANGUAGE_ECOSYSTEMS: dict[PackageType, str] = {
    PackageType.PYPI: "PyPI",
    PackageType.NPM: "npm",
    PackageType.GOLANG: "Go",
    PackageType.GO_STDLIB: "Go",
    PackageType.MAVEN: "Maven",
    PackageType.CARGO: "crates.io",
    PackageType.GEM: "RubyGems",
    PackageType.NUGET: "NuGet",
    PackageType.COMPOSER: "Packagist",
}
# Debian testing/unstable images carry a codename but no VERSION_ID.
_DEBIAN_CODENAMES = {"stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13"}
# A release number may carry a `-` suffix: openEuler's `22.03-LTS-SP2`, SUSE's `12-SP5`.
_RELEASE_NUMBER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:-(\S+))?$")
# SUSE service packs, also as long-term support streams (`SP4-LTSS`, `SP5-ESPOS`).
_SERVICE_PACK = re.compile(r"^SP(\d+)(?:-\S+)?$", re.IGNORECASE)
_VERSION_ID = re.compile(r"^(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Query:
    """One index key to look up for a package, and the installed version to compare against what it finds."""

    ecosystem: str
    """Base ecosystem, e.g. `Debian`."""
    name: str
    """Normalised name as `index_key` spells it."""
    version: str
    """The version to compare: the source version for Debian/Alpine, epoch-qualified `E:V-R` for rpm."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.ecosystem, self.name)


def base_ecosystem(ecosystem: str) -> str:
    """`Debian:12` -> `Debian`; `Ubuntu:Pro:22.04:LTS` -> `Ubuntu`; `PyPI` -> `PyPI`."""
    return ecosystem.partition(":")[0].strip()


@lru_cache(maxsize=131_072)  # pure, and called for every affected entry of every advisory looked up
def index_key(ecosystem: str, name: str) -> tuple[str, str]:
    """The store's lookup key of an advisory's affected entry: base ecosystem and normalised name."""
    base = base_ecosystem(ecosystem)
    return (base, normalise_name(base, name))


def normalise_name(base: str, name: str) -> str:
    """PyPI names per PEP 503; NuGet ids are case-insensitive, so lower-cased; others are exact."""
    if base == "PyPI":
        return pep503_name(name)
    if base == "NuGet":
        return name.lower()
    return name


def lookup_keys(package: Package, operating_system: OperatingSystem | None) -> list[tuple[str, str]]:
    """The index keys to query for a package (empty when no advisory ecosystem covers it)."""
    return [query.key for query in queries(package, operating_system)]


def queries(package: Package, operating_system: OperatingSystem | None) -> list[Query]:
    """Every key to look up for a package, each with the version to compare; deduplicated, stable order."""
    if package.type in _OS_ECOSYSTEMS:
        found = _os_queries(package, operating_system)
    elif package.owned_by or not_published(package):
        found = []  # False negative accepted over backport false positives: the OS package's advisories apply.
    else:
        found = _language_queries(package)
    unique: dict[tuple[str, str], Query] = {}
    for query in found:
        if query.version.strip():  # nothing to compare without a version: reported by coverage_gap
            unique.setdefault(query.key, query)
    return list(unique.values())


MATCHING_METADATA = ("role", "source")
"""The `Package.metadata` keys matching reads (`not_published`): a store of packages must keep them."""
_UNPUBLISHED_ROLES = frozenset({"project", "project reference"})
_PUBLIC_CRATE_SOURCES = frozenset({"crates.io", "CratesIo"})


def not_published(package: Package) -> str | None:
    """Why a language package is the application's own code rather than a published package, if it is.

    A .NET project (or project reference) and a Rust crate built from a local path or a git checkout share only a
    name with the public package of that name: looking them up would report the public package's advisories
    against private code. They are not looked up, and the reason is reported as a coverage gap.
    """
    role = package.metadata.get("role")
    if package.type is PackageType.NUGET and role in _UNPUBLISHED_ROLES:
        return f"a .NET {role} (the application's own code), not a NuGet package"
    source = package.metadata.get("source")
    if package.type is PackageType.CARGO and source is not None and source not in _PUBLIC_CRATE_SOURCES:
        return f"a crate from {source} sources, not from crates.io"
    return None


def coverage_gap(package: Package, operating_system: OperatingSystem | None) -> str | None:
    """Why a package has no index keys, when that is a gap to report rather than a choice (`owned_by`)."""
    if queries(package, operating_system):
        return None
    unpublished = not_published(package)
    if unpublished is not None:
        return f"not looked up: {unpublished}"
    if not (package.source_version or package.version).strip():
        return "the package has no version, so no advisory range can be evaluated against it"
    if package.type in _OS_ECOSYSTEMS:
        system = package_os(package, operating_system)
        name = system.id if system is not None else "an unknown distribution"
        return f"no OSV advisory ecosystem for {package.type.value} packages on {name}"
    if package.owned_by:
        return None
    return f"no OSV advisory ecosystem for {package.type.value} packages"


def os_ecosystem(package_type: PackageType, os_id: str | None) -> str | None:
    """The OSV base ecosystem of an OS package format on a distribution, e.g. (deb, ubuntu) -> `Ubuntu`."""
    if os_id is None:
        return None
    return _OS_ECOSYSTEMS.get(package_type, {}).get(os_id.lower())


def package_os(package: Package, operating_system: OperatingSystem | None) -> OperatingSystem | None:
    """The image's OS, else the one the package's purl names (`distro=debian-12`, namespace `debian`).

    SBOM files from other tools may carry no OS section but purls that say it.
    """
    if operating_system is not None:
        return operating_system
    purl = _parse_purl(package.purl)
    if purl is None or not purl.namespace:
        return None
    distro = str(purl.qualifiers.get("distro", "")) if isinstance(purl.qualifiers, dict) else ""
    prefix = f"{purl.namespace}-"
    version_id = distro[len(prefix) :] if distro.startswith(prefix) else None
    return OperatingSystem(id=purl.namespace.lower(), version_id=version_id or None)


@lru_cache(maxsize=4_096)  # a scan asks about the same few ecosystem strings for one OS thousands of times
def release_matches(ecosystem: str, operating_system: OperatingSystem | None) -> bool | None:
    """Whether an advisory ecosystem applies to the image: True, False, or None when the release is unknown.

    Language ecosystems always apply. `Debian:12` needs debian 12; `Alpine:v3.19` needs alpine 3.19.x;
    `Ubuntu:22.04:LTS` and `Ubuntu:Pro:22.04:LTS` need ubuntu 22.04; `Red Hat:enterprise_linux:9::appstream`
    needs rhel 9.x; `SUSE:Linux Enterprise Server 15 SP5` (or `15 SP5-LTSS`) needs sles 15.5;
    `openEuler:22.03-LTS-SP2` needs openeuler 22.03.
    """
    base = base_ecosystem(ecosystem)
    if base not in OS_ECOSYSTEMS:
        return True
    if operating_system is None or not _same_distribution(base, operating_system.id):
        return False  # Never match an OS advisory across distributions.
    wanted = advisory_release(ecosystem)
    if wanted is None:
        return True
    installed = image_release(operating_system)
    if installed is None:
        return None
    major, minor = wanted
    return installed[0] == major and (minor is None or installed[1] == minor)


def advisory_release(ecosystem: str) -> tuple[int, int | None] | None:
    """The (major, minor) an ecosystem suffix names; None when it names none (`Debian`, `Wolfi`)."""
    for part in ecosystem.split(":")[1:]:
        tokens = part.split()
        for position, token in enumerate(tokens):
            number = _RELEASE_NUMBER.match(token)
            if number is None:
                continue
            minor = number[2]
            if minor is None:
                after = number[3] or (tokens[position + 1] if position + 1 < len(tokens) else "")
                service_pack = _SERVICE_PACK.match(after)
                minor = service_pack[1] if service_pack else None
            return int(number[1]), None if minor is None else int(minor)
    return None


def image_release(operating_system: OperatingSystem) -> tuple[int, int | None] | None:
    """The image's (major, minor) from VERSION_ID (`12`, `3.19.1`, `22.04`, `9.3`), or a Debian codename."""
    version_id = operating_system.version_id
    if not version_id and operating_system.id == "debian" and operating_system.version_codename:
        version_id = _DEBIAN_CODENAMES.get(operating_system.version_codename.lower())
    found = _VERSION_ID.match(version_id or "")
    if found is None:
        return None
    return int(found[1]), None if found[2] is None else int(found[2])


def _same_distribution(base: str, os_id: str) -> bool:
    return any(table.get(os_id.lower()) == base for table in _OS_ECOSYSTEMS.values())


def _os_queries(package: Package, operating_system: OperatingSystem | None) -> list[Query]:
    system = package_os(package, operating_system)
    base = os_ecosystem(package.type, system.id if system is not None else None)
    if base is None:
        return []
    source_name = package.source_name or package.name
    source_version = package.source_version or package.version
    if package.type is not PackageType.RPM:
        return [Query(base, normalise_name(base, source_name), source_version)]
    return [
        Query(base, normalise_name(base, package.name), _rpm_version(package.epoch, package.version)),
        Query(base, normalise_name(base, source_name), _rpm_version(package.epoch, source_version)),
    ]


def _rpm_version(epoch: int | None, version: str) -> str:
    """`E:V-R` as rpm advisories write it; an absent epoch is 0 to rpm, so it is left out."""
    return f"{epoch}:{version}" if epoch else version


def _language_queries(package: Package) -> list[Query]:
    base = _LANGUAGE_ECOSYSTEMS.get(package.type)
    if base is None:
        return []
    if package.type is PackageType.GO_STDLIB:
        return [Query(base, "stdlib", go_release_semver(package.version))]
    return [Query(base, normalise_name(base, _qualified_name(package)), package.version)]


def _qualified_name(package: Package) -> str:
    """The name as the ecosystem's advisories write it: `@scope/name` for npm, `group:artifact` for Maven."""
    separator = {PackageType.NPM: "/", PackageType.MAVEN: ":", PackageType.COMPOSER: "/"}.get(package.type)
    if separator is None or separator in package.name:
        return package.name
    purl = _parse_purl(package.purl)
    if purl is None or not purl.namespace:
        return package.name
    return f"{purl.namespace}{separator}{purl.name}"


def _parse_purl(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None
