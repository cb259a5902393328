"""Python cataloger against real metadata: wheels' METADATA from PyPI, an sdist's PKG-INFO, Debian's
egg-info files.

The fixture files are flat under testdata/python/ (the repository ignores directories named `*.egg-info/`);
the table below places each at the path an installer would give it inside an image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.model.sbom import Location, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile
from regwarden.sbom.catalogers.python import PythonPackageCataloger
from tests.support.images import ExpectedPackages

from .lang_fixtures import TESTDATA, by_purl, is_requested, layer_files, mangled_variants, triples

SITE = "usr/local/lib/python3.11/site-packages"
DIST = "usr/lib/python3/dist-packages"
IMAGE_PATHS = {
    f"{SITE}/requests-2.25.1.dist-info/METADATA": "requests-2.25.1.METADATA",
    f"{SITE}/six-1.16.0.dist-info/METADATA": "six-1.16.0.METADATA",
    f"{SITE}/attrs-25.1.0.dist-info/METADATA": "attrs-25.1.0.METADATA",
    f"{SITE}/packaging-24.2.dist-info/METADATA": "packaging-24.2.METADATA",
    f"{SITE}/isodate-0.7.2.dist-info/METADATA": "isodate-0.7.2.METADATA",
    f"{SITE}/PyYAML-5.3-py3.11.egg-info/PKG-INFO": "PyYAML-5.3.PKG-INFO",
    f"{SITE}/broken-1.0.dist-info/METADATA": "truncated.METADATA",
    f"{DIST}/selinux-3.4.egg-info": "selinux-3.4.egg-info",
    f"{DIST}/pycairo-1.20.1.egg-info": "pycairo-1.20.1.egg-info",
    f"{DIST}/gpg-1.18.0-py3.11.egg-info": "gpg-1.18.0-py3.11.egg-info",
    # An unpacked sdist is not an installed distribution: its top-level PKG-INFO must not be requested.
    "usr/src/PyYAML-5.3/PKG-INFO": "PyYAML-5.3.PKG-INFO",
}


def _requested_files() -> list[CatalogFile]:
    cataloger = PythonPackageCataloger()
    return [
        CatalogFile(path=path, content=(TESTDATA / "python" / fixture).read_bytes())
        for path, fixture in IMAGE_PATHS.items()
        if is_requested(cataloger.request, path)
    ]


def test_request_selects_installed_metadata_only() -> None:
    assert {f.path for f in _requested_files()} == set(IMAGE_PATHS) - {"usr/src/PyYAML-5.3/PKG-INFO"}


def test_packages_are_exactly_the_installed_distributions() -> None:
    result = PythonPackageCataloger().catalog(_requested_files(), CatalogContext())
    assert triples(result.packages) == {
        ("requests", "2.25.1", "pkg:pypi/requests@2.25.1"),
        ("six", "1.16.0", "pkg:pypi/six@1.16.0"),
        ("attrs", "25.1.0", "pkg:pypi/attrs@25.1.0"),
        ("packaging", "24.2", "pkg:pypi/packaging@24.2"),
        ("isodate", "0.7.2", "pkg:pypi/isodate@0.7.2"),
        ("PyYAML", "5.3", "pkg:pypi/pyyaml@5.3"),
        ("selinux", "3.4", "pkg:pypi/selinux@3.4"),
        ("pycairo", "1.20.1", "pkg:pypi/pycairo@1.20.1"),
        ("gpg", "1.18.0", "pkg:pypi/gpg@1.18.0"),
    }
    assert {p.type for p in result.packages} == {PackageType.PYPI}
    assert {p.cataloger for p in result.packages} == {"python-installed"}


def test_metadata_without_name_and_version_is_an_unknown() -> None:
    result = PythonPackageCataloger().catalog(_requested_files(), CatalogContext())
    assert set(result.unknowns) == {
        Unknown(
            path=f"/{SITE}/broken-1.0.dist-info/METADATA",
            reason="core metadata without Name and Version",
            cataloger="python-installed",
        )
    }


def test_licenses_prefer_expression_then_short_license_then_classifiers() -> None:
    packages = by_purl(PythonPackageCataloger().catalog(_requested_files(), CatalogContext()).packages)
    assert {purl: p.licenses for purl, p in packages.items()} == {
        "pkg:pypi/attrs@25.1.0": ("MIT",),  # License-Expression
        "pkg:pypi/requests@2.25.1": ("Apache 2.0",),  # License wins over its classifier
        "pkg:pypi/six@1.16.0": ("MIT",),
        "pkg:pypi/pyyaml@5.3": ("MIT",),
        "pkg:pypi/pycairo@1.20.1": ("LGPL-2.1-only OR MPL-1.1",),
        "pkg:pypi/gpg@1.18.0": ("LGPL2.1+ (the library), GPL2+ (tests and examples)",),
        # No License field: both trove classifiers.
        "pkg:pypi/packaging@24.2": ("Apache Software License", "BSD License"),
        # License is the full BSD text: skipped in favour of the classifier.
        "pkg:pypi/isodate@0.7.2": ("BSD License",),
        # License: UNKNOWN and no classifier.
        "pkg:pypi/selinux@3.4": (),
    }


def test_locations_are_absolute_image_paths() -> None:
    packages = by_purl(PythonPackageCataloger().catalog(_requested_files(), CatalogContext()).packages)
    assert packages["pkg:pypi/pyyaml@5.3"].locations == (Location(f"/{SITE}/PyYAML-5.3-py3.11.egg-info/PKG-INFO"),)
    assert packages["pkg:pypi/selinux@3.4"].locations == (Location(f"/{DIST}/selinux-3.4.egg-info"),)


def test_binary_garbage_is_an_unknown_not_a_crash() -> None:
    garbage = CatalogFile(path=f"{SITE}/x-1.dist-info/METADATA", content=b"\x7fELF\x00\x01\x02")
    result = PythonPackageCataloger().catalog([garbage], CatalogContext())
    assert result.packages == ()
    assert [u.reason for u in result.unknowns] == ["binary content where core metadata was expected"]


def test_corrupted_metadata_never_raises() -> None:
    cataloger = PythonPackageCataloger()
    tried = 0
    for file in _requested_files():
        for variant in mangled_variants(file.content):
            result = cataloger.catalog([CatalogFile(file.path, variant)], CatalogContext())
            assert len(result.packages) + len(result.unknowns) == 1
            # A package always has a name; a missing version always says so.
            for package in result.packages:
                assert package.name and (package.version or package.metadata["version_note"])
            tried += 1
    assert tried > 50


def test_matches_what_pip_installed_in_the_real_test_image(
    test_images: Path, expected_packages: ExpectedPackages
) -> None:
    # pyapp-1.0 = Debian base (no Python distributions) + the pip layer; build.sh recorded pip's own report.
    cataloger = PythonPackageCataloger()
    result = cataloger.catalog(layer_files(test_images / "layers" / "python.tar", cataloger.request), CatalogContext())
    assert result.unknowns == ()
    expected = expected_packages.images["pyapp-1.0"].python
    assert {(p.name, p.version) for p in result.packages} == {(p.name, p.version) for p in expected}


def test_unzipped_egg_metadata_is_requested_and_parsed() -> None:
    """`setup.py install`/easy_install leave `<name>-<ver>-py<X>.egg/EGG-INFO/PKG-INFO`, not an `.egg-info`."""
    cataloger = PythonPackageCataloger()
    egg = f"{SITE}/PyYAML-5.3-py3.11.egg/EGG-INFO/PKG-INFO"
    not_installed = {"usr/src/PyYAML-5.3/EGG-INFO/PKG-INFO", f"{SITE}/PyYAML-5.3-py3.11.egg/PKG-INFO"}
    assert {p for p in {egg, *not_installed} if is_requested(cataloger.request, p)} == {egg}
    content = (TESTDATA / "python" / "PyYAML-5.3.PKG-INFO").read_bytes()
    result = cataloger.catalog([CatalogFile(path=egg, content=content)], CatalogContext())
    assert triples(result.packages) == {("PyYAML", "5.3", "pkg:pypi/pyyaml@5.3")}
    assert [p.locations for p in result.packages] == [(Location("/" + egg),)]


def test_metadata_without_a_version_is_a_package_with_an_empty_version_and_a_note() -> None:
    content = b"Metadata-Version: 2.1\nName: internal-tools\nSummary: built in-house\n"
    path = f"{SITE}/internal_tools-0.0.0.dist-info/METADATA"

    result = PythonPackageCataloger().catalog([CatalogFile(path, content)], CatalogContext())

    assert result.unknowns == ()
    assert [(p.name, p.version, p.purl, dict(p.metadata)) for p in result.packages] == [
        ("internal-tools", "", "pkg:pypi/internal-tools", {"version_note": "the core metadata has no Version"})
    ]


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        # The interpreter's own metadata, as CPython's build writes it, and the standard library's.
        ("usr/lib/python2.7/lib-dynload/Python-2.7.egg-info", False),
        ("usr/local/lib/python2.7/lib-dynload/Python-2.7.18-py2.7.egg-info", False),
        ("usr/local/lib/python3.11/lib-dynload/Python-3.11.4-py3.11.egg-info", False),
        ("usr/lib/python3.11/Python-3.11.egg-info", False),
        ("usr/lib/python2.7/wsgiref.egg-info", False),
        ("usr/lib64/python2.7/argparse.egg-info/PKG-INFO", False),
        # Distributions installed where installers put them, whatever their name.
        ("usr/lib/python3/dist-packages/Python-3.11.egg-info", True),
        (f"{SITE}/wsgiref-0.1.2.egg-info", True),
        (f"{SITE}/argparse-1.4.0.egg-info/PKG-INFO", True),
        ("usr/lib/python2.7/site-packages/six-1.16.0-py2.7.egg-info", True),
    ],
)
def test_the_interpreter_and_its_standard_library_are_not_packages(path: str, wanted: bool) -> None:
    assert is_requested(PythonPackageCataloger().request, path) is wanted
