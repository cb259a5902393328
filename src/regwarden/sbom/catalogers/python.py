"""Installed Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, bare `*.egg-info` files, and
`*.egg/EGG-INFO/PKG-INFO` (an unzipped egg, as `easy_install` and `setup.py install` leave them).

All three are RFC 822 style header blocks (core metadata spec); a bare `*.egg-info` FILE is what distutils
(and so many Debian `python3-*` packages) writes instead of a directory. Zipped `.egg` files and wheels are read
by python_archives.py.

Metadata without a `Name` names nothing and is an Unknown. Metadata with a name but no `Version` (hand-made or
truncated installs) is still a package: reported with an empty version and the reason in
`metadata["version_note"]`, so the inventory shows it and no advisory range can silently match it.

Not packages: the interpreter's own `Python-X.Y[.Z][-pyX.Y].egg-info`, which CPython 2's build (and early 3.x
builds, with distutils' install_egg_info) writes into `lib/pythonX.Y/lib-dynload/`, and the other `*.egg-info`
files it puts straight into the standard library directory `lib/pythonX.Y/` (Python 2.7's `wsgiref`,
Debian's `argparse`): they describe the standard library, which ships with the interpreter and is versioned
with it, not distributions installed from PyPI. Installers never write into those two directories.

Naming decision: `Package.name` keeps the distribution name exactly as its metadata spells it (`PyYAML`),
because that is what users and advisories display; the purl carries the PEP 503 normalised name
(`pkg:pypi/pyyaml@5.3`), so anything that compares PyPI names (matching, de-duplication) must compare purls
or normalise with `model.package_names.pep503_name`, never compare `Package.name` directly.

Licence decision, first non-empty wins: `License-Expression` (metadata 2.4, already SPDX), then `License` when
it is a short identifier-like value (not `UNKNOWN`, not a pasted licence text), then the last segment of every
`Classifier: License :: ...` trove classifier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from email.message import Message
from email.parser import HeaderParser

from packageurl import PackageURL

from regwarden.model.package_names import pep503_name
from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "python-installed"

_MAX_LICENSE_CHARS = 100
"""A `License:` value longer than this (or spanning lines) is a pasted licence text, not an identifier."""

_NOT_A_LICENSE = frozenset({"", "unknown", "none", "n/a", "other", "other/proprietary license"})


_STDLIB_DIR = re.compile(r"(?:.*/)?lib(?:64)?/python\d+\.\d+(?:/lib-dynload)?")


def _wants(path: str) -> bool:
    """Only metadata that sits where an installer puts it, never an sdist's top-level PKG-INFO."""
    parent, _, base = path.rpartition("/")
    if base == "METADATA":
        return parent.endswith(".dist-info")
    if base == "PKG-INFO":
        grandparent, _, directory = parent.rpartition("/")
        if parent.endswith(".egg-info"):
            return not is_standard_library(grandparent)
        return directory == "EGG-INFO" and grandparent.endswith(".egg")
    return base.endswith(".egg-info") and not is_standard_library(parent)


def is_standard_library(directory: str) -> bool:
    """Whether a directory is the interpreter's own `lib/pythonX.Y` or its `lib-dynload` (see the docstring)."""
    return _STDLIB_DIR.fullmatch(directory) is not None


_REQUEST = FileRequest(
    basenames=frozenset({"METADATA", "PKG-INFO"}),
    suffixes=(".egg-info",),
    path_filter=_wants,
    max_size=4 * 1024 * 1024,
)


class PythonPackageCataloger:
    """Python distributions installed by pip, setuptools, distutils or a distro package manager."""

    @property
    def name(self) -> str:
        return CATALOGER_NAME

    @property
    def request(self) -> FileRequest:
        return _REQUEST

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            if not _wants(file.path):
                continue
            result = parse_core_metadata(file.path, file.content)
            if isinstance(result, Package):
                packages.append(result)
            else:
                unknowns.append(result)
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def parse_core_metadata(
    path: str, content: bytes, cataloger: str = CATALOGER_NAME, extra: Mapping[str, str] | None = None
) -> Package | Unknown:
    """One metadata file to a Package located at `path`, or an Unknown saying why it could not be one."""
    location = "/" + path
    if b"\x00" in content:
        return Unknown(path=location, reason="binary content where core metadata was expected", cataloger=cataloger)
    headers = HeaderParser().parsestr(content.decode("utf-8", errors="replace"))
    name = _single_line(headers.get("Name"))
    version = _single_line(headers.get("Version"))
    if not name:
        missing = "Name and Version" if not version else "Name"
        return Unknown(path=location, reason=f"core metadata without {missing}", cataloger=cataloger)
    metadata = dict(extra or {})
    if not version:
        metadata["version_note"] = "the core metadata has no Version"
    purl = PackageURL(type="pypi", name=pep503_name(name), version=version or None).to_string()
    return Package(
        name=name,
        version=version or "",
        type=PackageType.PYPI,
        purl=purl,
        cataloger=cataloger,
        locations=(Location(location),),
        licenses=licenses_of(headers),
        metadata=metadata,
    )


def licenses_of(headers: Message) -> tuple[str, ...]:
    expression = _single_line(headers.get("License-Expression"))
    if expression:
        return (expression,)
    declared = _short_license(headers.get("License"))
    if declared:
        return (declared,)
    found: list[str] = []
    for classifier in headers.get_all("Classifier") or ():
        parts = [part.strip() for part in str(classifier).split("::")]
        # `License :: OSI Approved` alone names no licence; the last segment is the licence itself.
        if parts[0] == "License" and len(parts) > 1 and parts[-1] != "OSI Approved" and parts[-1] not in found:
            found.append(parts[-1])
    return tuple(found)


def _short_license(raw: object) -> str | None:
    if raw is None:
        return None
    value = str(raw).strip()
    if "\n" in value or len(value) > _MAX_LICENSE_CHARS or value.lower() in _NOT_A_LICENSE:
        return None
    return value


def _single_line(raw: object) -> str | None:
    """Header values may fold over lines; a name or version never legitimately does."""
    if raw is None:
        return None
    value = " ".join(str(raw).split())
    return value or None
