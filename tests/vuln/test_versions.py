"""Version ordering per ecosystem, read from the plain `a < b` tables under testdata/versions/."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.vuln.versions import VersionError, compare, same_version, scheme_for

TABLES = Path(__file__).parent / "testdata" / "versions"
# Table file -> the OSV base ecosystem whose ECOSYSTEM ranges it orders.
ECOSYSTEMS = {
    "debian.txt": "Debian",
    "alpine.txt": "Alpine",
    "rpm.txt": "Red Hat",
    "pypi.txt": "PyPI",
    "npm.txt": "npm",
    "maven.txt": "Maven",
    "go.txt": "Go",
    "rubygems.txt": "RubyGems",
    "nuget.txt": "NuGet",
    "packagist.txt": "Packagist",
    "crates.io.txt": "crates.io",
}
EXPECTED = {"<": -1, "=": 0, ">": 1}


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for table in sorted(TABLES.glob("*.txt")):
        for line in table.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith(("#", "!")):
                left, operator, right = line.split()
                rows.append((table.name, left, operator, right))
    return rows


def _invalid() -> list[tuple[str, str]]:
    return [
        (table.name, line[1:].strip())
        for table in sorted(TABLES.glob("*.txt"))
        for line in table.read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    ]


def test_every_table_names_a_known_ecosystem() -> None:
    assert {table.name for table in TABLES.glob("*.txt")} == set(ECOSYSTEMS)


@pytest.mark.parametrize(("table", "left", "operator", "right"), _rows())
def test_ordering_table(table: str, left: str, operator: str, right: str) -> None:
    scheme = scheme_for(ECOSYSTEMS[table])
    assert scheme is not None
    assert compare(scheme, left, right) == EXPECTED[operator]
    assert compare(scheme, right, left) == -EXPECTED[operator]


@pytest.mark.parametrize(("table", "text"), _invalid())
def test_unparsable_versions_raise_version_error(table: str, text: str) -> None:
    scheme = scheme_for(ECOSYSTEMS[table])
    assert scheme is not None
    with pytest.raises(VersionError, match="is not a valid"):
        compare(scheme, text, "1.0")


def test_semver_ranges_use_semver_in_any_ecosystem() -> None:
    assert scheme_for("Go", "SEMVER") == "semver"
    assert scheme_for("PyPI", "SEMVER") == "semver"


def test_no_ordering_for_git_ranges_or_unknown_ecosystems() -> None:
    assert scheme_for("Go", "GIT") is None
    assert scheme_for("Hackage") is None


def test_same_version_uses_the_scheme_and_falls_back_to_exact_text() -> None:
    assert same_version("pypi", "1.0", "1.0.0")
    assert not same_version("pypi", "1.0", "1.0.1")
    assert same_version(None, "r2024", "r2024")
    assert not same_version(None, "1.0", "1.0.0")


def test_versions_univers_cannot_order_are_an_error_not_a_crash() -> None:
    from regwarden.vuln.versions import VersionError, compare

    with pytest.raises(VersionError):
        compare("nuget", "", "1.0")
