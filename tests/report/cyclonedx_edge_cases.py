"""An Sbom of the awkward values a CycloneDX writer must keep exactly as cyclonedx-python-lib wrote them.

A purl packageurl cannot parse and one it re-encodes, a version-less purl, an empty version, the same purl twice,
non-ASCII names, repeated and mixed licences, lone licences that are and are not SPDX expressions, an empty
metadata value, an OS with no version, and a path that was not UTF-8 in its layer (tar names are decoded with
surrogate escapes).
"""

from __future__ import annotations

from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom, Unknown

UNDECODABLE_PATH = b"/opt/caf\xe9/lib.so".decode("utf-8", "surrogateescape")


def _npm(name: str, version: str, purl: str, *licenses: str, **metadata: str) -> Package:
    return Package(name, version, PackageType.NPM, purl, "npm-package", licenses=licenses, metadata=metadata)


PACKAGES = (
    _npm("broken", "1.0", "npm:broken@1.0", "GPL-2.0+"),
    _npm("qualified", "1.0", "pkg:npm/qualified@1.0?=x"),
    _npm("Ænima-ö", "2.0", "pkg:npm/%C3%86nima-%C3%B6@2.0", "MIT", "MIT", "Apache-2.0", "BSD-like", "Artistic"),
    _npm("no-version", "", "pkg:npm/no-version", "mit"),
    _npm("twice", "1.0", "pkg:npm/twice@1.0", "LicenseRef-in-house", path=""),
    _npm("twice", "1.0", "pkg:npm/twice@1.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
    _npm("alpha", "0.1", "pkg:npm/alpha@0.1", "MIT OR"),
    Package(
        "Jinja2", "3.1.2", PackageType.PYPI, "pkg:pypi/Jinja2@3.1.2", "python-dist-info", licenses=("BSD-3-Clause",)
    ),
)

EDGE_CASES = Sbom(
    source="oci-archive:edge.tar",
    packages=PACKAGES,
    unknowns=(Unknown(UNDECODABLE_PATH, "not a shared object we can read", cataloger="binary"),),
    operating_system=OperatingSystem(id="wolfi", version_id=None),
    tool_version="0.1.0",
    created="2024-05-01T12:00:00.250000+02:00",
)
