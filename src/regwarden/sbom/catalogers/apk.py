"""Alpine (and Wolfi, Chainguard) packages from apk's database, `lib/apk/db/installed`.

Merged-/usr images (Wolfi, Chainguard, apk-tools 3) keep it at `usr/lib/apk/db/installed`, with `/lib` a
symlink to `usr/lib`, so only the `usr/` path exists as a file in the layers. When an image has both files, apk
itself uses `lib/apk/db`, so that one wins and the other is not read (it would report every package twice).

The database is paragraphs of one-letter fields (`P:musl`), one per line, separated by blank lines. `F:`
names a directory (no leading slash) and each following `R:` a file in it, which gives the files a package
owns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from packageurl import PackageURL

from regwarden.model.sbom import Location, OperatingSystem, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.osrelease import distro_qualifier

INSTALLED_PATH = "lib/apk/db/installed"
USR_INSTALLED_PATH = "usr/lib/apk/db/installed"
_DB_PATHS = (INSTALLED_PATH, USR_INSTALLED_PATH)
_SPDX_OPERATORS = frozenset({"AND", "OR", "WITH"})


@dataclass
class _Record:
    """One package paragraph as it is read: single-valued fields, owned files, and the first error."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    directory: str = ""
    error: str | None = None

    def add(self, number: int, line: str) -> None:
        key, colon, value = line.partition(":")
        if len(key) != 1 or not colon:
            self.error = self.error or f"line {number}: not a field"
        elif key == "F":
            self.directory = value.strip("/")
        elif key == "R":
            self.files.append(f"{self.directory}/{value}" if self.directory else value)
        else:
            self.fields.setdefault(key, value)  # repeated keys (a, Z, M) belong to files, not the package


class ApkCataloger:
    """Finds apk packages and the files each one installed."""

    name = "apk"
    request = FileRequest(basenames=frozenset({"installed"}), path_filter=lambda path: path in _DB_PATHS)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        owned: dict[str, str] = {}
        databases = {file.path: file for file in files if file.path in _DB_PATHS}
        path = next((path for path in _DB_PATHS if path in databases), None)
        if path is None:
            return CatalogResult()
        for record in _records(databases[path].content.decode("utf-8", errors="replace")):
            result = _package(path, record, context.operating_system)
            if isinstance(result, Unknown):
                unknowns.append(result)
                continue
            packages.append(result)
            for owned_path in record.files:
                owned.setdefault(owned_path, result.purl)
        return CatalogResult(packages=packages, unknowns=unknowns, owned_files=owned)


def _records(text: str) -> list[_Record]:
    records: list[_Record] = []
    current: _Record | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        if not line.strip():
            current = None
            continue
        if current is None:
            current = _Record(line=number)
            records.append(current)
        current.add(number, line)
    return records


def _package(path: str, record: _Record, os: OperatingSystem | None) -> Package | Unknown:
    name, version = record.fields.get("P", "").strip(), record.fields.get("V", "").strip()
    reason = record.error or (None if name and version else "no P (name) or V (version) field")
    if reason is not None:
        return Unknown(f"/{path}", f"package at line {record.line}: {reason}", cataloger="apk")
    arch = record.fields.get("A", "").strip() or None
    return Package(
        name=name,
        version=version,
        type=PackageType.APK,
        purl=apk_purl(name, version, arch, os),
        cataloger="apk",
        locations=(Location(f"/{path}"),),
        licenses=licenses_of(record.fields.get("L", "")),
        source_name=record.fields.get("o", "").strip() or name,
        source_version=version,
        arch=arch,
        metadata={"description": record.fields["T"]} if "T" in record.fields else {},
    )


def licenses_of(value: str) -> tuple[str, ...]:
    """`L:` is an SPDX expression on current Alpine (`MIT AND BSD-2-Clause`), kept whole; older releases wrote a
    space-separated list of licence names (`MIT BSD GPL2+`), which are separate licences."""
    words = value.split()
    if not words or _SPDX_OPERATORS.intersection(word.upper() for word in words) or "(" in value:
        return (" ".join(words),) if words else ()
    return tuple(dict.fromkeys(words))


def apk_purl(name: str, version: str, arch: str | None, os: OperatingSystem | None) -> str:
    """`pkg:apk/<os id>/<name>@<version>?arch=..&distro=<id>-<version_id>`; `alpine` if the OS is unknown."""
    qualifiers = {"arch": arch or "", "distro": distro_qualifier(os) or ""}
    return PackageURL(
        type="apk",
        namespace=os.id if os is not None else "alpine",
        name=name,
        version=version,
        qualifiers={key: value for key, value in qualifiers.items() if value},
    ).to_string()
