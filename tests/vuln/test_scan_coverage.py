"""A scan says which ecosystems the database could not check, instead of a silent "no vulnerabilities"."""

from __future__ import annotations

from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.service.scan import coverage_warnings, ecosystem_counts
from regwarden.vuln.match import lookup_plan

DEBIAN_12 = OperatingSystem("debian", "12")


def package(kind: PackageType, name: str, purl: str, source: str | None = None) -> Package:
    return Package(name, "1.0", kind, purl, "test", source_name=source)


SBOM = Sbom(
    source="test",
    operating_system=DEBIAN_12,
    packages=(
        package(PackageType.DEB, "libssl3", "pkg:deb/debian/libssl3@1.0?distro=debian-12", source="openssl"),
        package(PackageType.DEB, "openssl", "pkg:deb/debian/openssl@1.0?distro=debian-12", source="openssl"),
        package(PackageType.PYPI, "PyYAML", "pkg:pypi/pyyaml@1.0"),
        package(PackageType.NPM, "lodash", "pkg:npm/lodash@1.0"),
    ),
)


def test_ecosystems_missing_from_the_database_are_named_with_their_package_counts() -> None:
    warnings = coverage_warnings(ecosystem_counts(lookup_plan(SBOM)), {"npm"})
    assert warnings == [
        "the database has no Debian advisories: 1 Debian package name(s) were not checked; "
        "run `regwarden db update -e Debian`",
        "the database has no PyPI advisories: 1 PyPI package name(s) were not checked; "
        "run `regwarden db update -e PyPI`",
    ]


def test_a_database_covering_every_ecosystem_gives_no_warning() -> None:
    assert coverage_warnings(ecosystem_counts(lookup_plan(SBOM)), {"Debian", "PyPI", "npm"}) == []
