from __future__ import annotations

import time

import pytest

from regwarden.model.advisory import Advisory, AffectedPackage, AffectedRange, RangeEvent, SeverityScore
from regwarden.model.finding import Severity
from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.model.vulnerability import MatchEvidence, MatchReport
from regwarden.vuln.match import UNRATED_SEVERITY, lookup_plan, match_sbom, match_sbom_report
from tests.vuln.osv_fixtures import AdvisoryIndex, load_advisories

DEBIAN_12 = OperatingSystem("debian", "12")


@pytest.fixture(scope="module")
def index() -> AdvisoryIndex:
    return AdvisoryIndex(load_advisories())


def _pkg(kind: PackageType, name: str, version: str, **extra: object) -> Package:
    purl = str(extra.pop("purl", f"pkg:{kind.value}/{name}@{version}"))
    return Package(name, version, kind, purl, "test", **extra)  # type: ignore[arg-type]


def _scan(index: AdvisoryIndex, system: OperatingSystem | None, *packages: Package) -> MatchReport:
    sbom = Sbom("test", packages, operating_system=system)
    return match_sbom_report(sbom, index.lookup, database="fixtures", database_age_days=1.5)


def _found(report: MatchReport) -> set[tuple[str, str, str]]:
    return {(f.package.name, f.package.version, f.id) for f in report.findings}


def test_debian_matches_the_source_package_of_a_binary_with_another_name(index: AdvisoryIndex) -> None:
    libcurl = _pkg(
        PackageType.DEB, "libcurl4", "7.88.1-10+deb12u4", source_name="curl", source_version="7.88.1-10+deb12u4"
    )
    report = _scan(index, DEBIAN_12, libcurl)
    (finding,) = report.findings
    assert (finding.id, finding.aliases) == ("CVE-2023-46218", ("DSA-5587-1",))
    assert finding.severity is Severity.MEDIUM  # the Debian tracker's urgency: no CVSS in the record
    assert finding.fixed_versions == ("7.88.1-10+deb12u5",)
    assert finding.fix_available
    assert finding.summary == "curl - security update"
    assert finding.evidence == (
        MatchEvidence(
            advisory_id="DSA-5587-1",
            ecosystem="Debian:12",
            package_name="curl",
            installed_version="7.88.1-10+deb12u4",
            matched_by="range",
            detail="ECOSYSTEM introduced 0, fixed 7.88.1-10+deb12u5",
            database="fixtures",
            database_age_days=1.5,
        ),
    )
    assert report.unknowns == ()


def test_fixed_version_installed_and_other_releases_do_not_match(index: AdvisoryIndex) -> None:
    fixed = _pkg(PackageType.DEB, "curl", "7.88.1-10+deb12u5", source_name="curl", source_version="7.88.1-10+deb12u5")
    assert _scan(index, DEBIAN_12, fixed).findings == ()
    # DLA-3692-1 is for Debian 10 only; DSA-5587-1 for Debian 12 only.
    old = _pkg(PackageType.DEB, "curl", "7.64.0-4+deb10u2", source_name="curl", source_version="7.64.0-4+deb10u2")
    assert {f.evidence[0].advisory_id for f in _scan(index, DEBIAN_12, old).findings} == {"DSA-5587-1"}
    assert {f.evidence[0].advisory_id for f in _scan(index, OperatingSystem("debian", "10"), old).findings} == {
        "DLA-3692-1"
    }
    assert _scan(index, OperatingSystem("debian", "11"), old).findings == ()


def test_os_advisories_never_cross_distributions(index: AdvisoryIndex) -> None:
    glibc_deb = _pkg(PackageType.DEB, "libc6", "2.35-0ubuntu3.1", source_name="glibc", source_version="2.35-0ubuntu3.1")
    ubuntu = _scan(index, OperatingSystem("ubuntu", "22.04"), glibc_deb)
    assert _found(ubuntu) == {("libc6", "2.35-0ubuntu3.1", "CVE-2024-2961")}
    assert ubuntu.findings[0].severity is Severity.MEDIUM
    assert ubuntu.findings[0].evidence[0].ecosystem == "Ubuntu:22.04:LTS"
    # The same package on Debian 12 meets only the Debian record, never the Ubuntu one.
    debian = _scan(index, DEBIAN_12, glibc_deb)
    assert _found(debian) == {("libc6", "2.35-0ubuntu3.1", "DEBIAN-CVE-2024-0001")}


def test_bare_debian_ecosystem_applies_to_every_release_and_unrated_fails_closed(index: AdvisoryIndex) -> None:
    libc = _pkg(PackageType.DEB, "libc6", "2.36-9+deb12u4", source_name="glibc", source_version="2.36-9+deb12u4")
    report = _scan(index, DEBIAN_12, libc)
    (finding,) = report.findings
    assert finding.id == "DEBIAN-CVE-2024-0001"
    assert finding.severity is UNRATED_SEVERITY
    assert finding.cvss_score is None
    assert report.is_unrated(finding)


def test_unknown_os_release_is_reported_not_guessed(index: AdvisoryIndex) -> None:
    libcurl = _pkg(PackageType.DEB, "libcurl4", "7.88.1-10", source_name="curl", source_version="7.88.1-10")
    report = _scan(index, OperatingSystem("debian", None), libcurl)
    assert report.findings == ()
    assert {(u.package.name, u.advisory_id) for u in report.unknowns} == {
        ("libcurl4", "DSA-5587-1"),
        ("libcurl4", "DLA-3692-1"),
    }
    assert "OS release is unknown" in report.unknowns[0].reason


def test_pypi_aliases_merge_into_one_finding_with_every_id(index: AdvisoryIndex) -> None:
    report = _scan(index, None, _pkg(PackageType.PYPI, "PyYAML", "5.3.1"))
    (finding,) = report.findings
    assert finding.id == "CVE-2020-14343"
    assert finding.aliases == ("GHSA-8q59-q68h-6hv4", "PYSEC-2021-142")
    assert (finding.severity, finding.cvss_score) == (Severity.CRITICAL, 9.8)
    assert {(e.advisory_id, e.matched_by, e.package_name) for e in finding.evidence} == {
        ("GHSA-8q59-q68h-6hv4", "range", "pyyaml"),
        ("PYSEC-2021-142", "versions", "pyyaml"),
    }
    assert finding.fixed_versions == ("5.4",)


def test_pypi_fixed_and_os_owned_packages_do_not_match(index: AdvisoryIndex) -> None:
    assert _scan(index, None, _pkg(PackageType.PYPI, "pyyaml", "5.4")).findings == ()
    owned = _pkg(PackageType.PYPI, "PyYAML", "5.3.1", owned_by="pkg:deb/debian/python3-yaml@5.3.1-5")
    assert _scan(index, DEBIAN_12, owned).findings == ()


@pytest.mark.parametrize(
    ("version", "fixed"),
    [
        ("0.9.0", None),
        ("1.0.0", ("1.5.0", "2.3.0")),
        ("1.4.9", ("1.5.0", "2.3.0")),
        ("1.5.0", None),
        ("1.9.9", None),
        ("2.0.0", ("2.3.0",)),
        ("2.2.9", ("2.3.0",)),
        ("2.3.0", None),
    ],
)
def test_several_introduced_fixed_pairs_and_withdrawn_never_matching(
    index: AdvisoryIndex, version: str, fixed: tuple[str, ...] | None
) -> None:
    report = _scan(index, None, _pkg(PackageType.NPM, "multi", version))
    # TEST-WITHDRAWN covers every version of `multi`; only TEST-MULTI-RANGE may match.
    assert [(f.id, f.fixed_versions) for f in report.findings] == (
        [] if fixed is None else [("TEST-MULTI-RANGE", fixed)]
    )


@pytest.mark.parametrize(("version", "affected"), [("0.9", False), ("1.0", True), ("2.0", True), ("2.0.1", False)])
def test_last_affected_is_inclusive(index: AdvisoryIndex, version: str, affected: bool) -> None:
    package = _pkg(PackageType.MAVEN, "org.example:lib", version)
    report = _scan(index, None, package)
    assert bool(report.findings) is affected
    if affected:
        assert report.findings[0].fixed_versions == ()
        assert not report.findings[0].fix_available
        assert report.findings[0].severity is Severity.MEDIUM


@pytest.mark.parametrize(("version", "affected"), [("0.5", False), ("1.0", True), ("1.9.9", True), ("2.0", False)])
def test_limit_caps_the_range(index: AdvisoryIndex, version: str, affected: bool) -> None:
    assert bool(_scan(index, None, _pkg(PackageType.GEM, "limited", version)).findings) is affected


@pytest.mark.parametrize(("version", "affected"), [("0.3.1", True), ("0.3.0", True), ("0.4.0", False)])
def test_git_ranges_do_not_stop_the_versions_list(index: AdvisoryIndex, version: str, affected: bool) -> None:
    report = _scan(index, None, _pkg(PackageType.CARGO, "gitty", version))
    assert bool(report.findings) is affected
    assert report.unknowns == ()


def test_git_only_entry_is_reported_as_not_evaluable() -> None:
    git_only = Advisory(
        "OSV-GIT",
        "2024-01-01T00:00:00Z",
        affected=(AffectedPackage("crates.io", "g", ranges=(AffectedRange("GIT", (RangeEvent("introduced", "0"),)),)),),
    )
    report = match_sbom_report(Sbom("t", (_pkg(PackageType.CARGO, "g", "1.0.0"),)), lambda e, n: [git_only])
    assert [(u.advisory_id, u.reason) for u in report.unknowns] == [
        ("OSV-GIT", "crates.io: only GIT (commit) ranges and no versions list")
    ]


def test_scoped_npm_names(index: AdvisoryIndex) -> None:
    babel = _pkg(PackageType.NPM, "@babel/traverse", "7.23.0", purl="pkg:npm/%40babel/traverse@7.23.0")
    report = _scan(index, None, babel, _pkg(PackageType.NPM, "traverse", "7.23.0"))
    assert _found(report) == {("@babel/traverse", "7.23.0", "CVE-2023-45133")}
    assert report.findings[0].fixed_versions == ("7.23.2",)
    assert report.findings[0].severity is Severity.HIGH  # CVSS 3.1 7.8 outranks the database's CRITICAL


@pytest.mark.parametrize(
    ("version", "fixed"),
    [
        ("1.21.5", ("1.21.8", "1.22.1")),
        ("1.22.0", ("1.22.1",)),
        ("1.21.8", None),
        ("1.22.1", None),
        # Toolchain spellings (`go version`, other tools' SBOMs): read as the vulndb's semver, not "unparsable".
        ("go1.21.5", ("1.21.8", "1.22.1")),
        ("go1.22rc1", ("1.22.1",)),
        ("go1.22.1", None),
    ],
)
def test_go_stdlib(index: AdvisoryIndex, version: str, fixed: tuple[str, ...] | None) -> None:
    report = _scan(index, None, _pkg(PackageType.GO_STDLIB, "stdlib", version, purl=f"pkg:golang/stdlib@{version}"))
    assert [(f.id, f.fixed_versions) for f in report.findings] == ([] if fixed is None else [("CVE-2023-45290", fixed)])
    assert report.unknowns == ()


def test_alpine_matches_its_release_by_origin(index: AdvisoryIndex) -> None:
    lib = _pkg(PackageType.APK, "libcrypto3", "3.1.4-r4", source_name="openssl", source_version="3.1.4-r4")
    on_319 = _scan(index, OperatingSystem("alpine", "3.19.1"), lib)
    assert [(f.id, f.fixed_versions, f.cvss_score) for f in on_319.findings] == [("CVE-2024-0727", ("3.1.4-r5",), 5.5)]
    patched = _pkg(PackageType.APK, "libcrypto3", "3.1.4-r5", source_name="openssl", source_version="3.1.4-r5")
    assert _scan(index, OperatingSystem("alpine", "3.19.1"), patched).findings == ()
    assert [f.fixed_versions for f in _scan(index, OperatingSystem("alpine", "3.18.6"), patched).findings] == [
        ("3.1.4-r6",)
    ]
    assert _scan(index, OperatingSystem("alpine", "3.20.0"), lib).findings == ()


def test_alpine_snapshot_versions_are_ordered_not_reported_unparsable() -> None:
    # aports package upstream snapshots as `<version>_git<date>`; apk orders `_git` after the plain release.
    advisory = Advisory(
        "TEST-APK-GIT",
        "2024-01-01T00:00:00Z",
        affected=(
            AffectedPackage(
                "Alpine:v3.19",
                "musl-fts",
                ranges=(
                    AffectedRange(
                        "ECOSYSTEM", (RangeEvent("introduced", "0"), RangeEvent("fixed", "1.2.7_git20230601-r0"))
                    ),
                ),
            ),
        ),
    )
    packages = [
        _pkg(PackageType.APK, "musl-fts", version, purl=f"pkg:apk/alpine/musl-fts@{version}")
        for version in ("1.2.7-r6", "1.2.7_git20230512-r0", "1.2.7_git20230601-r0", "1.2.7_p1-r0")
    ]
    sbom = Sbom("t", tuple(packages), operating_system=OperatingSystem("alpine", "3.19.1"))
    report = match_sbom_report(sbom, lambda ecosystem, name: [advisory])
    assert _found(report) == {
        ("musl-fts", "1.2.7-r6", "TEST-APK-GIT"),
        ("musl-fts", "1.2.7_git20230512-r0", "TEST-APK-GIT"),
    }
    assert report.unknowns == ()


def test_rpm_with_epoch_on_its_own_distribution_only(index: AdvisoryIndex) -> None:
    lib = _pkg(
        PackageType.RPM, "openssl-libs", "3.0.7-24.el9", source_name="openssl", source_version="3.0.7-24.el9", epoch=1
    )
    rhel = _scan(index, OperatingSystem("rhel", "9.3"), lib)
    assert [(f.id, f.severity, f.evidence[0].installed_version) for f in rhel.findings] == [
        ("CVE-2023-5678", Severity.LOW, "1:3.0.7-24.el9")
    ]
    assert _scan(index, OperatingSystem("rocky", "9.3"), lib).findings == ()
    fixed = _pkg(PackageType.RPM, "openssl-libs", "3.0.7-25.el9_3", epoch=1)
    assert _scan(index, OperatingSystem("rhel", "9.3"), fixed).findings == ()


def test_nuget_ids_match_case_insensitively(index: AdvisoryIndex) -> None:
    report = _scan(index, None, _pkg(PackageType.NUGET, "newtonsoft.json", "12.0.3"))
    assert _found(report) == {("newtonsoft.json", "12.0.3", "CVE-2024-21907")}


def test_unparsable_versions_are_reported_with_the_reason(index: AdvisoryIndex) -> None:
    report = _scan(
        index, None, _pkg(PackageType.NPM, "badly-versioned", "1.0.0"), _pkg(PackageType.NPM, "multi", "garbage!")
    )
    assert report.findings == ()
    reasons = {(u.package.name, u.advisory_id, u.reason.split(": ", 1)[1]) for u in report.unknowns}
    assert reasons == {
        ("badly-versioned", "TEST-BAD-VERSION", "'not a version!' is not a valid semver version"),
        ("multi", "TEST-MULTI-RANGE", "'garbage!' is not a valid semver version"),
    }


def test_pypi_versions_outside_pep_440_are_ordered_as_pip_ordered_them(index: AdvisoryIndex) -> None:
    # pip's legacy scheme puts such a version before every PEP 440 release, so `introduced: 0` ranges include it.
    report = _scan(index, None, _pkg(PackageType.PYPI, "PyYAML", "garbage!"))
    assert _found(report) == {("PyYAML", "garbage!", "CVE-2020-14343")}  # both advisories, one vulnerability
    assert report.unknowns == ()


def test_go_modules_compare_without_the_v_prefix() -> None:
    advisory = Advisory(
        "GO-2023-2102",
        "2024-01-01T00:00:00Z",
        aliases=("CVE-2023-39325",),
        affected=(
            AffectedPackage(
                "Go",
                "golang.org/x/net",
                ranges=(AffectedRange("SEMVER", (RangeEvent("introduced", "0"), RangeEvent("fixed", "0.17.0"))),),
            ),
        ),
    )
    modules = [_pkg(PackageType.GOLANG, "golang.org/x/net", version) for version in ("v0.16.0", "v0.17.0")]
    report = match_sbom_report(Sbom("t", tuple(modules)), lambda ecosystem, name: [advisory])
    assert _found(report) == {("golang.org/x/net", "v0.16.0", "CVE-2023-39325")}
    assert report.findings[0].evidence[0].detail == "SEMVER introduced 0, fixed 0.17.0"


def test_packagist_patch_releases_and_fourth_version_parts() -> None:
    # Magento ships security fixes as `-pN` patch releases after the release they patch (as GHSA records name
    # them), and Packagist versions may have a fourth number: neither is a semver pre-release or build metadata.
    def ecosystem_range(*events: tuple[str, str]) -> AffectedRange:
        return AffectedRange("ECOSYSTEM", tuple(RangeEvent(kind, version) for kind, version in events))

    advisory = Advisory(
        "TEST-PACKAGIST-1",
        "2024-01-01T00:00:00Z",
        affected=(
            AffectedPackage(
                "Packagist",
                "magento/community-edition",
                ranges=(ecosystem_range(("introduced", "2.4.5"), ("fixed", "2.4.5-p1")),),
            ),
            AffectedPackage(
                "Packagist", "vendor/four-parts", ranges=(ecosystem_range(("introduced", "0"), ("fixed", "6.4.0.1")),)
            ),
        ),
    )
    packages = [
        _pkg(PackageType.COMPOSER, name, version)
        for name, version in (
            ("magento/community-edition", "2.4.5"),
            ("magento/community-edition", "2.4.5-p1"),
            ("magento/community-edition", "2.4.4-p9"),
            ("vendor/four-parts", "6.4.0.0"),
            ("vendor/four-parts", "v6.4.0.1"),
        )
    ]
    report = match_sbom_report(Sbom("t", tuple(packages)), lambda ecosystem, name: [advisory])
    assert _found(report) == {
        ("magento/community-edition", "2.4.5", "TEST-PACKAGIST-1"),
        ("vendor/four-parts", "6.4.0.0", "TEST-PACKAGIST-1"),
    }
    assert report.unknowns == ()


def test_os_packages_without_an_advisory_ecosystem_are_reported(index: AdvisoryIndex) -> None:
    bash = _pkg(PackageType.RPM, "bash", "4.2.46-34.el7", purl="pkg:rpm/centos/bash@4.2.46-34.el7")
    owned = _pkg(PackageType.PYPI, "six", "1.9.0", owned_by="pkg:rpm/centos/python-six@1.9.0-2.el7")
    report = _scan(index, OperatingSystem("centos", "7"), bash, owned)
    assert report.findings == ()
    assert [(u.package.name, u.advisory_id, u.reason) for u in report.unknowns] == [
        ("bash", None, "no OSV advisory ecosystem for rpm packages on centos")
    ]


def test_match_sbom_returns_the_reports_findings(index: AdvisoryIndex) -> None:
    sbom = Sbom("t", (_pkg(PackageType.PYPI, "PyYAML", "5.3.1"), _pkg(PackageType.NPM, "multi", "2.1.0")))
    assert match_sbom(sbom, index.lookup) == list(match_sbom_report(sbom, index.lookup).findings)
    assert [f.id for f in match_sbom(sbom, index.lookup)] == ["TEST-MULTI-RANGE", "CVE-2020-14343"]


def test_each_key_is_looked_up_once_per_scan(index: AdvisoryIndex) -> None:
    index.queried.clear()
    same_source = [
        _pkg(PackageType.DEB, name, "7.88.1-10", source_name="curl", source_version="7.88.1-10")
        for name in ("curl", "libcurl4")
    ]
    report = _scan(index, DEBIAN_12, *same_source)
    assert index.queried == [("Debian", "curl")]
    assert _found(report) == {("curl", "7.88.1-10", "CVE-2023-46218"), ("libcurl4", "7.88.1-10", "CVE-2023-46218")}


def test_a_thousand_packages_with_ten_advisories_each_match_well_under_a_second() -> None:
    vector = SeverityScore("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    packages, by_key = [], {}
    for i in range(1000):
        debian = i % 2 == 0
        name, version = (
            (f"src{i}", f"1.{i % 7}.{i % 13}-{i % 5}+deb12u1") if debian else (f"py{i}", f"2.{i % 9}.{i % 11}")
        )
        kind = PackageType.DEB if debian else PackageType.PYPI
        packages.append(_pkg(kind, name, version, source_name=name if debian else None))
        ecosystem = "Debian:12" if debian else "PyPI"
        by_key[("Debian" if debian else "PyPI", name)] = [
            Advisory(
                f"TEST-{i}-{j}",
                "2024-01-01T00:00:00Z",
                aliases=(f"CVE-2024-{i * 10 + j}",),
                severity=(vector,),
                affected=(
                    AffectedPackage(
                        ecosystem,
                        name,
                        ranges=(
                            AffectedRange(
                                "ECOSYSTEM", (RangeEvent("introduced", f"1.{j}"), RangeEvent("fixed", f"2.{j}.{j}"))
                            ),
                        ),
                    ),
                ),
            )
            for j in range(10)
        ]
    sbom = Sbom("bench", tuple(packages), operating_system=DEBIAN_12)
    started = time.perf_counter()
    report = match_sbom_report(sbom, lambda ecosystem, name: by_key.get((ecosystem, name), []))
    elapsed = time.perf_counter() - started
    assert len(report.findings) > 1000
    assert report.unknowns == ()
    # A guard against accidental quadratic work only (it took ~0.3 s on a quiet 2-core machine); the speed itself
    # is measured by benchmarks/bench_vuln.py, not by a timed test on a shared CI machine.
    assert elapsed < 10.0, f"matching took {elapsed:.2f}s"


def test_lookup_plan_names_every_key_and_the_releases_that_can_apply() -> None:
    libcurl = _pkg(PackageType.DEB, "libcurl4", "7.88.1-10", source_name="curl", source_version="7.88.1-10")
    curl = _pkg(PackageType.DEB, "curl", "7.88.1-10", source_name="curl", source_version="7.88.1-10")
    owned = _pkg(PackageType.PYPI, "PyYAML", "5.3.1", owned_by="pkg:deb/debian/python3-yaml@5.3.1-5")
    bash = _pkg(PackageType.RPM, "bash", "4.2.46-34.el7", purl="pkg:rpm/centos/bash@4.2.46-34.el7")
    sbom = Sbom(
        "t", (libcurl, curl, owned, bash, _pkg(PackageType.PYPI, "Requests", "2.31.0")), operating_system=DEBIAN_12
    )
    plan = lookup_plan(sbom)
    assert plan.keys == [("Debian", "curl"), ("PyPI", "requests")]
    assert [
        plan.wanted(("Debian", "curl"), eco) for eco in ("Debian:12", "Debian", "Debian:11", "Ubuntu:22.04:LTS")
    ] == [
        True,
        True,
        False,
        False,
    ]
    assert plan.wanted(("PyPI", "requests"), "PyPI") is True
    assert plan.wanted(("PyPI", "flask"), "PyPI") is False  # a key nobody asked for


def test_lookup_plan_keeps_unknown_releases_so_they_are_reported() -> None:
    libcurl = _pkg(PackageType.DEB, "libcurl4", "7.88.1-10", source_name="curl", source_version="7.88.1-10")
    plan = lookup_plan(Sbom("t", (libcurl,), operating_system=OperatingSystem("debian", None)))
    assert plan.wanted(("Debian", "curl"), "Debian:12") is True  # release unknown: evaluated as "not evaluated"


def test_busy_package_groups_keep_every_hit_in_order() -> None:
    # 300 advisories on one package, in 100 alias groups of three: each finding keeps exactly its group's hits.
    advisories = [
        Advisory(
            id=f"GHSA-{n:04d}-{part}",
            modified="2024-01-01T00:00:00Z",
            aliases=(f"CVE-2024-{n}",),
            affected=(
                AffectedPackage("PyPI", "busy", ranges=(AffectedRange("ECOSYSTEM", (RangeEvent("introduced", "0"),)),)),
            ),
        )
        for part in ("a", "b", "c")
        for n in range(100)
    ]
    report = match_sbom_report(Sbom("t", (_pkg(PackageType.PYPI, "busy", "1.0"),)), lambda e, n: advisories)
    assert len(report.findings) == 100
    for finding in report.findings:
        n = int(finding.id.rsplit("-", 1)[1])
        assert [e.advisory_id for e in finding.evidence] == [f"GHSA-{n:04d}-{part}" for part in ("a", "b", "c")]


def test_a_version_named_by_the_versions_list_still_gets_the_fix_from_the_ranges() -> None:
    # PyPA records list every affected version and also give ECOSYSTEM ranges: the list decides the match, the
    # range says which upgrade fixes it (a "not fixed" here sent users looking for a fix that exists).
    entry = AffectedPackage(
        "PyPI",
        "urllib3",
        ranges=(
            AffectedRange("GIT", (RangeEvent("introduced", "0"), RangeEvent("fixed", "abc123")), "https://x"),
            AffectedRange("ECOSYSTEM", (RangeEvent("introduced", "0"), RangeEvent("fixed", "1.26.5"))),
        ),
        versions=("1.24", "1.24.1", "1.26.4"),
    )
    advisory = Advisory("PYSEC-2021-108", "2024-01-01T00:00:00Z", affected=(entry,))
    report = match_sbom_report(Sbom("t", (_pkg(PackageType.PYPI, "urllib3", "1.24.1"),)), lambda e, n: [advisory])
    [finding] = report.findings
    assert (finding.evidence[0].matched_by, finding.fixed_versions) == ("versions", ("1.26.5",))
