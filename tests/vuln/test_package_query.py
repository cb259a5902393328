"""`where` queries: names, purls, versions and ranges, compared in each ecosystem's own order."""

from __future__ import annotations

import pytest

from regwarden.model.errors import BadInputError
from regwarden.vuln.package_query import Constraint, PackageQuery, parse_package_query
from regwarden.vuln.versions import VersionError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("log4j-core", PackageQuery("log4j-core")),
        ("urllib3@1.24.1", PackageQuery("urllib3", constraints=(Constraint("=", "1.24.1"),))),
        ("urllib3@==1.24.1", PackageQuery("urllib3", constraints=(Constraint("=", "1.24.1"),))),
        (
            "log4j-core@>=2.0, <2.17.1",
            PackageQuery("log4j-core", constraints=(Constraint(">=", "2.0"), Constraint("<", "2.17.1"))),
        ),
        ("@babel/core@<7.23.2", PackageQuery("@babel/core", constraints=(Constraint("<", "7.23.2"),))),
        (
            "pkg:maven/org.apache.logging.log4j/log4j-core@<2.17.1",
            PackageQuery("log4j-core", "maven", "org.apache.logging.log4j", (Constraint("<", "2.17.1"),)),
        ),
        ("pkg:npm/%40babel/core", PackageQuery("@babel/core", "npm")),
        (
            "lodash@vers:npm/>=4.0.0|<4.17.21",
            PackageQuery("lodash", constraints=(Constraint(">=", "4.0.0"), Constraint("<", "4.17.21")), any_of=True),
        ),
    ],
)
def test_parsing(text: str, expected: PackageQuery) -> None:
    assert parse_package_query(text) == expected


@pytest.mark.parametrize(
    ("query", "package_type", "version", "matches"),
    [
        ("x@<1.24.10", "pypi", "1.24.9", True),  # ordered as versions, not text
        ("x@<1.24.10", "pypi", "1.24.10", False),
        ("x@1.0", "pypi", "1.0.0", True),  # PEP 440: the same version
        ("x@>1.9", "deb", "1:0.5-1", True),  # an epoch outranks everything after it
        ("x@<2.17.1", "maven", "2.17.0-rc1", True),
        ("x@!=4.17.15", "npm", "4.17.15", False),
        ("x@vers:npm/>=1.0.0|<1.2.0|>=2.0.0|<2.1.0", "npm", "1.5.0", False),  # between the two intervals
        ("x@vers:npm/>=1.0.0|<1.2.0|>=2.0.0|<2.1.0", "npm", "2.0.5", True),
        ("x@vers:npm/<1.2.0|!=1.1.0", "npm", "1.1.0", False),
        ("x@vers:npm/1.1.0|1.3.0", "npm", "1.3.0", True),
    ],
)
def test_versions_are_compared_in_the_ecosystems_order(
    query: str, package_type: str, version: str, matches: bool
) -> None:
    assert parse_package_query(query).matches_version(package_type, version) is matches


def test_an_unorderable_version_is_an_error_the_caller_reports() -> None:
    with pytest.raises(VersionError):
        parse_package_query("x@<2").matches_version("npm", "not-a-version")


def test_identity_by_purl_narrows_type_and_namespace() -> None:
    query = parse_package_query("pkg:maven/org.apache.logging.log4j/log4j-core")
    purl = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    assert query.matches_identity("maven", "log4j-core", purl)
    assert not query.matches_identity("maven", "log4j-core", "pkg:maven/org.example/log4j-core@2.14.1")
    assert not query.matches_identity("npm", "log4j-core", "pkg:npm/log4j-core@1.0.0")


@pytest.mark.parametrize("text", ["", "@", "x@<", "x@>=", "pkg:npm", "x@vers:npm", "pkg:/x"])
def test_bad_queries(text: str) -> None:
    with pytest.raises(BadInputError):
        parse_package_query(text)
