from __future__ import annotations

import pytest

from regwarden.model.sbom import OperatingSystem, Package, PackageType
from regwarden.vuln.ecosystems import (
    Query,
    coverage_gap,
    index_key,
    lookup_keys,
    package_os,
    queries,
    release_matches,
)

DEBIAN_12 = OperatingSystem("debian", "12")
UBUNTU_2204 = OperatingSystem("ubuntu", "22.04")
ALPINE_319 = OperatingSystem("alpine", "3.19.1")
RHEL_93 = OperatingSystem("rhel", "9.3")


def _package(kind: PackageType, name: str, version: str, purl: str = "", **extra: object) -> Package:
    return Package(name, version, kind, purl or f"pkg:{kind.value}/{name}@{version}", "test", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ecosystem", "name", "key"),
    [
        ("PyPI", "PyYAML", ("PyPI", "pyyaml")),
        ("PyPI", "zope.interface", ("PyPI", "zope-interface")),
        ("PyPI", "Foo__Bar", ("PyPI", "foo-bar")),
        ("Debian:12", "curl", ("Debian", "curl")),
        ("Ubuntu:Pro:22.04:LTS", "glibc", ("Ubuntu", "glibc")),
        ("Alpine:v3.19", "openssl", ("Alpine", "openssl")),
        ("Red Hat:enterprise_linux:9::baseos", "openssl-libs", ("Red Hat", "openssl-libs")),
        ("npm", "@babel/traverse", ("npm", "@babel/traverse")),
        ("Maven", "org.apache.logging.log4j:log4j-core", ("Maven", "org.apache.logging.log4j:log4j-core")),
        ("Go", "github.com/Masterminds/goutils", ("Go", "github.com/Masterminds/goutils")),
        ("NuGet", "Newtonsoft.Json", ("NuGet", "newtonsoft.json")),
        ("crates.io", "Serde", ("crates.io", "Serde")),
    ],
)
def test_index_key(ecosystem: str, name: str, key: tuple[str, str]) -> None:
    assert index_key(ecosystem, name) == key


def test_deb_is_looked_up_by_source_package_and_source_version() -> None:
    package = _package(
        PackageType.DEB, "libcurl4", "7.88.1-10+deb12u4", source_name="curl", source_version="7.88.1-10+deb12u4"
    )
    assert queries(package, DEBIAN_12) == [Query("Debian", "curl", "7.88.1-10+deb12u4")]
    assert lookup_keys(package, UBUNTU_2204) == [("Ubuntu", "curl")]


def test_binary_nmu_compares_the_source_version() -> None:
    package = _package(PackageType.DEB, "libfoo1", "1.0-1+b1", source_name="foo", source_version="1.0-1")
    assert queries(package, DEBIAN_12) == [Query("Debian", "foo", "1.0-1")]


def test_apk_uses_the_origin_package() -> None:
    package = _package(PackageType.APK, "libcrypto3", "3.1.4-r4", source_name="openssl", source_version="3.1.4-r4")
    assert lookup_keys(package, ALPINE_319) == [("Alpine", "openssl")]
    assert lookup_keys(package, OperatingSystem("wolfi", "20230201")) == [("Wolfi", "openssl")]


def test_rpm_queries_binary_and_source_with_the_epoch() -> None:
    package = _package(
        PackageType.RPM, "openssl-libs", "3.0.7-24.el9", source_name="openssl", source_version="3.0.7-24.el9", epoch=1
    )
    assert queries(package, RHEL_93) == [
        Query("Red Hat", "openssl-libs", "1:3.0.7-24.el9"),
        Query("Red Hat", "openssl", "1:3.0.7-24.el9"),
    ]
    assert lookup_keys(package, OperatingSystem("rocky", "9.3")) == [
        ("Rocky Linux", "openssl-libs"),
        ("Rocky Linux", "openssl"),
    ]
    assert lookup_keys(package, OperatingSystem("almalinux", "8.9"))[0] == ("AlmaLinux", "openssl-libs")


@pytest.mark.parametrize(
    ("version", "compared"),
    [
        ("1.21.5", "1.21.5"),
        ("go1.21.5", "1.21.5"),
        ("go1.20", "1.20.0"),
        ("go1.21rc2", "1.21.0-rc.2"),
        ("go1.9beta1", "1.9.0-beta.1"),
        ("devel", "devel"),
    ],
)
def test_go_stdlib_is_compared_as_the_vulndb_writes_releases(version: str, compared: str) -> None:
    package = _package(PackageType.GO_STDLIB, "stdlib", version)
    assert queries(package, None) == [Query("Go", "stdlib", compared)]


def test_os_packages_of_a_distribution_without_advisories_have_no_keys() -> None:
    package = _package(PackageType.RPM, "bash", "5.1-1", purl="pkg:rpm/centos/bash@5.1-1")
    assert lookup_keys(package, OperatingSystem("centos", "7")) == []


def test_language_packages() -> None:
    assert lookup_keys(_package(PackageType.PYPI, "PyYAML", "5.3.1"), None) == [("PyPI", "pyyaml")]
    assert lookup_keys(_package(PackageType.GO_STDLIB, "stdlib", "1.21.5"), None) == [("Go", "stdlib")]
    assert lookup_keys(_package(PackageType.GOLANG, "golang.org/x/net", "v0.17.0"), None) == [
        ("Go", "golang.org/x/net")
    ]
    assert lookup_keys(_package(PackageType.CARGO, "smallvec", "1.6.0"), None) == [("crates.io", "smallvec")]
    assert lookup_keys(_package(PackageType.GEM, "rack", "2.2.3"), None) == [("RubyGems", "rack")]
    assert lookup_keys(_package(PackageType.NUGET, "Newtonsoft.Json", "12.0.3"), None) == [("NuGet", "newtonsoft.json")]
    assert lookup_keys(_package(PackageType.COMPOSER, "guzzlehttp/psr7", "2.4.0"), None) == [
        ("Packagist", "guzzlehttp/psr7")
    ]


def test_scoped_npm_and_maven_names_come_from_the_purl_when_the_name_is_bare() -> None:
    npm = _package(PackageType.NPM, "traverse", "7.23.0", purl="pkg:npm/%40babel/traverse@7.23.0")
    assert lookup_keys(npm, None) == [("npm", "@babel/traverse")]
    scoped = _package(PackageType.NPM, "@babel/traverse", "7.23.0", purl="pkg:npm/%40babel/traverse@7.23.0")
    assert lookup_keys(scoped, None) == [("npm", "@babel/traverse")]
    maven = _package(
        PackageType.MAVEN, "log4j-core", "2.14.1", purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )
    assert lookup_keys(maven, None) == [("Maven", "org.apache.logging.log4j:log4j-core")]


def test_language_package_owned_by_an_os_package_is_not_queried() -> None:
    owned = _package(PackageType.PYPI, "PyYAML", "6.0", owned_by="pkg:deb/debian/python3-yaml@6.0-3")
    assert lookup_keys(owned, DEBIAN_12) == []


def test_package_os_falls_back_to_the_purl_distro() -> None:
    package = _package(PackageType.DEB, "curl", "7.88.1-10", purl="pkg:deb/debian/curl@7.88.1-10?distro=debian-12")
    assert package_os(package, None) == OperatingSystem("debian", "12")
    assert package_os(package, UBUNTU_2204) == UBUNTU_2204
    assert lookup_keys(package, None) == [("Debian", "curl")]
    bare = _package(PackageType.DEB, "curl", "7.88.1-10", purl="pkg:deb/debian/curl@7.88.1-10")
    assert package_os(bare, None) == OperatingSystem("debian", None)


@pytest.mark.parametrize(
    ("ecosystem", "system", "expected"),
    [
        ("PyPI", None, True),
        ("Debian:12", DEBIAN_12, True),
        ("Debian:12", OperatingSystem("debian", "12.5"), True),
        ("Debian:11", DEBIAN_12, False),
        ("Debian", DEBIAN_12, True),
        ("Debian:12", UBUNTU_2204, False),
        ("Debian:13", OperatingSystem("debian", None, version_codename="trixie"), True),
        ("Debian:12", OperatingSystem("debian", None), None),
        ("Debian:12", None, False),
        ("Alpine:v3.19", ALPINE_319, True),
        ("Alpine:v3.18", ALPINE_319, False),
        ("Alpine:v3.1", ALPINE_319, False),
        ("Ubuntu:22.04:LTS", UBUNTU_2204, True),
        ("Ubuntu:Pro:22.04:LTS", UBUNTU_2204, True),
        ("Ubuntu:20.04:LTS", UBUNTU_2204, False),
        ("Red Hat:enterprise_linux:9::appstream", RHEL_93, True),
        ("Red Hat:enterprise_linux:8::appstream", RHEL_93, False),
        ("Red Hat:rhel_e4s:9.2::baseos", RHEL_93, False),
        ("Red Hat:rhel_eus:9.3::baseos", RHEL_93, True),
        ("Rocky Linux:9", OperatingSystem("rocky", "9.3"), True),
        ("Rocky Linux:9", RHEL_93, False),
        ("AlmaLinux:8", OperatingSystem("almalinux", "8.9"), True),
        ("SUSE:Linux Enterprise Server 15 SP5", OperatingSystem("sles", "15.5"), True),
        ("SUSE:Linux Enterprise Server 15 SP4", OperatingSystem("sles", "15.5"), False),
        ("openSUSE:Leap 15.5", OperatingSystem("opensuse-leap", "15.5"), True),
        # A release number with a `-` suffix still names that release, never "every release".
        ("openEuler:22.03-LTS-SP2", OperatingSystem("openeuler", "22.03"), True),
        ("openEuler:20.03-LTS-SP4", OperatingSystem("openeuler", "22.03"), False),
        ("SUSE:Linux Enterprise Server 15 SP4-LTSS", OperatingSystem("sles", "15.4"), True),
        ("SUSE:Linux Enterprise Server 15 SP4-LTSS", OperatingSystem("sles", "15.6"), False),
        ("SUSE:Linux Enterprise Server 12-SP5", OperatingSystem("sles", "12.5"), True),
        ("SUSE:Linux Enterprise Server 12-SP5", OperatingSystem("sles", "12.4"), False),
    ],
)
def test_release_matches(ecosystem: str, system: OperatingSystem | None, expected: bool | None) -> None:
    assert release_matches(ecosystem, system) is expected


@pytest.mark.parametrize(
    ("package", "gap"),
    [
        (
            Package(
                "Shop.Web", "1.0.0", PackageType.NUGET, "pkg:nuget/Shop.Web@1.0.0", "t", metadata={"role": "project"}
            ),
            "not looked up: a .NET project (the application's own code), not a NuGet package",
        ),
        (
            Package("serde", "1.0.0", PackageType.CARGO, "pkg:cargo/serde@1.0.0", "t", metadata={"source": "local"}),
            "not looked up: a crate from local sources, not from crates.io",
        ),
        (
            Package(
                "serde", "1.0.0", PackageType.CARGO, "pkg:cargo/serde@1.0.0", "t", metadata={"source": "crates.io"}
            ),
            None,
        ),
        (
            Package("System.Text.Json", "8.0.0", PackageType.NUGET, "pkg:nuget/System.Text.Json@8.0.0", "t"),
            None,
        ),
    ],
)
def test_the_applications_own_code_is_not_looked_up_as_a_public_package(package: Package, gap: str | None) -> None:
    assert coverage_gap(package, None) == gap
    assert bool(queries(package, None)) is (gap is None)


def test_a_package_without_a_version_is_a_reported_gap_not_a_match() -> None:
    nameless = Package("Shop.Tools", "", PackageType.NUGET, "pkg:nuget/Shop.Tools", "t")
    assert queries(nameless, None) == []
    assert (
        coverage_gap(nameless, None) == "the package has no version, so no advisory range can be evaluated against it"
    )
