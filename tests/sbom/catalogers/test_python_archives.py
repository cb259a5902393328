"""Zipped eggs and wheels: real archives built by setuptools (testdata/python/archives/build.sh rebuilds them),
placed where easy_install installs an egg and where images ship wheelhouses and build leftovers."""

from __future__ import annotations

import pytest

from regwarden.model.sbom import Location, PackageType
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult
from regwarden.sbom.catalogers.python_archives import PythonArchiveCataloger, is_on_python_path

from .lang_fixtures import TESTDATA, is_requested, mangled_variants

ARCHIVES = TESTDATA / "python" / "archives"
EGG = (ARCHIVES / "tinyjson-0.9.2-py3.11.egg").read_bytes()
WHEEL = (ARCHIVES / "tinyjson-0.9.2-py3-none-any.whl").read_bytes()
NO_VERSION_EGG = (ARCHIVES / "noversion-0.0-py3.11.egg").read_bytes()
SITE = "usr/local/lib/python3.11/site-packages"
TINYJSON = ("tinyjson", "0.9.2", "pkg:pypi/tinyjson@0.9.2")


def _catalog(*files: tuple[str, bytes]) -> CatalogResult:
    cataloger = PythonArchiveCataloger()
    wanted = [CatalogFile(path, content) for path, content in files if is_requested(cataloger.request, path)]
    assert len(wanted) == len(files), "every fixture path must be requested"
    return cataloger.catalog(wanted, CatalogContext())


def _described(result: CatalogResult) -> set[tuple[str, str, str, str, str | None]]:
    return {(p.name, p.version, p.locations[0].path, p.cataloger, p.metadata.get("role")) for p in result.packages}


def test_a_zipped_egg_on_the_python_path_is_installed() -> None:
    result = _catalog(
        (f"{SITE}/tinyjson-0.9.2-py3.11.egg", EGG),
        ("usr/lib/python3/dist-packages/tinyjson-0.9.2-py3.11.egg", EGG),
    )

    assert _described(result) == {
        ("tinyjson", "0.9.2", f"/{SITE}/tinyjson-0.9.2-py3.11.egg", "python-installed", None),
        ("tinyjson", "0.9.2", "/usr/lib/python3/dist-packages/tinyjson-0.9.2-py3.11.egg", "python-installed", None),
    }
    assert {(p.purl, p.type, p.licenses, p.metadata["archive"]) for p in result.packages} == {
        ("pkg:pypi/tinyjson@0.9.2", PackageType.PYPI, ("MIT",), "EGG-INFO/PKG-INFO")
    }
    assert result.unknowns == ()


def test_wheels_and_eggs_shipped_elsewhere_are_archives_not_installed() -> None:
    result = _catalog(
        ("opt/wheelhouse/tinyjson-0.9.2-py3-none-any.whl", WHEEL),
        # A wheel inside site-packages is still not imported from: only an installer unpacks it.
        (f"{SITE}/tinyjson-0.9.2-py3-none-any.whl", WHEEL),
        ("src/app/dist/tinyjson-0.9.2-py3.11.egg", EGG),
    )

    assert _described(result) == {
        (
            "tinyjson",
            "0.9.2",
            "/opt/wheelhouse/tinyjson-0.9.2-py3-none-any.whl",
            "python-archive",
            "archive, not installed",
        ),
        ("tinyjson", "0.9.2", f"/{SITE}/tinyjson-0.9.2-py3-none-any.whl", "python-archive", "archive, not installed"),
        ("tinyjson", "0.9.2", "/src/app/dist/tinyjson-0.9.2-py3.11.egg", "python-archive", "archive, not installed"),
    }
    wheel = next(
        p for p in result.packages if p.locations == (Location("/opt/wheelhouse/tinyjson-0.9.2-py3-none-any.whl"),)
    )
    assert (wheel.purl, wheel.metadata["archive"]) == ("pkg:pypi/tinyjson@0.9.2", "tinyjson-0.9.2.dist-info/METADATA")


def test_an_egg_without_a_version_is_reported_with_a_note() -> None:
    result = _catalog((f"{SITE}/noversion-0.0-py3.11.egg", NO_VERSION_EGG))

    assert [(p.name, p.version, p.purl, p.metadata["version_note"]) for p in result.packages] == [
        ("tinyjson", "", "pkg:pypi/tinyjson", "the core metadata has no Version")
    ]


def test_unreadable_archives_are_unknowns() -> None:
    result = _catalog(
        ("opt/wheelhouse/broken-1.0-py3-none-any.whl", WHEEL[: len(WHEEL) // 2]),
        (f"{SITE}/text-1.0.egg", b"not a zip"),
        ("opt/wheelhouse/empty-1.0-py3-none-any.whl", EGG),  # a zip, but with egg metadata only
        ("opt/eggs/odd-1.0.egg", WHEEL),  # a zip, but with wheel metadata only
    )

    assert result.packages == ()
    assert {(u.path, u.reason, u.cataloger) for u in result.unknowns} == {
        (
            "/opt/wheelhouse/broken-1.0-py3-none-any.whl",
            "not a readable zip archive: File is not a zip file",
            "python-archive",
        ),
        (f"/{SITE}/text-1.0.egg", "not a readable zip archive: File is not a zip file", "python-installed"),
        (
            "/opt/wheelhouse/empty-1.0-py3-none-any.whl",
            "wheel without a top-level .dist-info/METADATA",
            "python-archive",
        ),
        ("/opt/eggs/odd-1.0.egg", "egg without EGG-INFO/PKG-INFO", "python-archive"),
    }


def test_mangled_archives_never_raise() -> None:
    tried = 0
    for path, content in (("opt/a-1.0-py3-none-any.whl", WHEEL), (f"{SITE}/a-1.0.egg", EGG)):
        for variant in mangled_variants(content):
            result = PythonArchiveCataloger().catalog([CatalogFile(path, variant)], CatalogContext())
            assert len(result.packages) + len(result.unknowns) == 1
            tried += 1
    assert tried > 20


@pytest.mark.parametrize(
    ("directory", "on_path"),
    [
        (SITE, True),
        ("usr/lib/python3/dist-packages", True),
        ("usr/lib/python2.7", True),
        ("opt/venv/lib64/python3.12/site-packages", True),
        ("opt/wheelhouse", False),
        ("usr/lib/python3.11/lib-dynload", False),
        ("srv/site-packages-backup", False),
    ],
)
def test_python_path_directories(directory: str, on_path: bool) -> None:
    assert is_on_python_path(directory) is on_path


def test_requests_archives_by_suffix_only() -> None:
    request = PythonArchiveCataloger().request
    paths = {"a.whl", "b.egg", f"{SITE}/c.egg/EGG-INFO/PKG-INFO", "d.whl.metadata", "e.zip"}
    assert {path for path in paths if request.wants(path, 0o644)} == {"a.whl", "b.egg"}
