"""Python distributions that sit in an image as archives: zipped `.egg` files and wheels (`.whl`).

- A zipped egg in a directory on Python's path (`site-packages`, `dist-packages`, `lib/pythonX.Y`) is installed:
  `easy_install` and `setup.py install` put it there and list it in `easy-install.pth`, and Python imports from
  the zip. Its `EGG-INFO/PKG-INFO` makes it a package like any other installed one (cataloger name
  `python-installed`, `metadata["archive"]` naming the egg).
- Any other `.egg`, and every wheel (a wheel is only ever unpacked by an installer, never imported in place), is
  shipped but not installed: a wheelhouse for an offline `pip install`, a build artefact left behind. It is
  reported under the cataloger name `python-archive` with `metadata["role"] = "archive, not installed"`, because
  it is in the image (and may be installed at run time) but is not what the application imports.

The metadata inside is read as the installed kind is (python.py). An archive that is not a readable zip, or has
no metadata where the format puts it, is an Unknown.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Sequence

from regwarden.model.sbom import Package, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.catalogers.python import CATALOGER_NAME as INSTALLED
from regwarden.sbom.catalogers.python import parse_core_metadata

CATALOGER_NAME = "python-archive"
ROLE_ARCHIVE = "archive, not installed"
ARCHIVE_SUFFIXES = (".egg", ".whl")
MAX_METADATA_BYTES = 4 * 1024 * 1024
_PATH_DIRECTORY = re.compile(r"(?:.*/)?(?:site-packages|dist-packages|lib(?:64)?/python\d+(?:\.\d+)?)")
_WHEEL_METADATA = re.compile(r"(?P<distribution>[^/]+)\.dist-info/METADATA")
# What zipfile raises on corrupt, truncated, encrypted or exotic input.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)

_REQUEST = FileRequest(suffixes=ARCHIVE_SUFFIXES, max_size=512 * 1024 * 1024)


class ArchiveMetadataError(ValueError):
    """The archive cannot be read, or holds no core metadata where its format puts it."""


class PythonArchiveCataloger:
    """Zipped eggs (installed when on Python's path) and wheels or eggs shipped in the image."""

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
            if not file.path.endswith(ARCHIVE_SUFFIXES):
                continue
            found = parse_archive(file.path, file.content)
            if isinstance(found, Package):
                packages.append(found)
            else:
                unknowns.append(found)
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def parse_archive(path: str, content: bytes) -> Package | Unknown:
    installed = path.endswith(".egg") and is_on_python_path(path.rpartition("/")[0])
    cataloger = INSTALLED if installed else CATALOGER_NAME
    try:
        entry, metadata = read_metadata(path, content)
    except ArchiveMetadataError as error:
        return Unknown("/" + path, str(error), cataloger)
    about = {"archive": entry} if installed else {"role": ROLE_ARCHIVE, "archive": entry}
    return parse_core_metadata(path, metadata, cataloger, about)


def is_on_python_path(directory: str) -> bool:
    """Whether Python imports from this directory: a site directory or the standard library directory."""
    return _PATH_DIRECTORY.fullmatch(directory) is not None


def read_metadata(path: str, content: bytes) -> tuple[str, bytes]:
    """(the entry, its bytes) of the archive's core metadata: `EGG-INFO/PKG-INFO`, or a wheel's
    `<name>-<version>.dist-info/METADATA` (the one matching the file name when a wheel has several)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entry = _metadata_entry(path, archive.namelist())
            info = archive.getinfo(entry)
            if info.file_size > MAX_METADATA_BYTES:
                raise ArchiveMetadataError(f"{entry}: {info.file_size} bytes, larger than {MAX_METADATA_BYTES}")
            return entry, archive.read(info)
    except ArchiveMetadataError:
        raise
    except _ZIP_ERRORS as error:
        raise ArchiveMetadataError(f"not a readable zip archive: {error}") from None


def _metadata_entry(path: str, names: Sequence[str]) -> str:
    if path.endswith(".egg"):
        if "EGG-INFO/PKG-INFO" not in names:
            raise ArchiveMetadataError("egg without EGG-INFO/PKG-INFO")
        return "EGG-INFO/PKG-INFO"
    candidates = [name for name in names if _WHEEL_METADATA.fullmatch(name)]
    if not candidates:
        raise ArchiveMetadataError("wheel without a top-level .dist-info/METADATA")
    # A wheel's file name starts with the distribution and version of its own .dist-info directory.
    stem = path.rpartition("/")[2]
    own = [name for name in candidates if stem.lower().startswith(name.removesuffix(".dist-info/METADATA").lower())]
    return (own or candidates)[0]
