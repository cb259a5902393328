"""Java archives (`.jar`, `.war`, `.ear`, Jenkins `.jpi`/`.hpi`) and the archives nested inside them.

Where coordinates come from, first that applies:
1. every `pom.properties` in the archive, wherever it sits (Maven writes `META-INF/maven/<group>/<artifact>/`,
   but shading, relocation and hand-assembled jars put copies elsewhere; a zip may even hold one name twice).
   Each is one package, so a shaded uber jar that bundles two versions of one artifact reports both; the entry
   that said so is in `metadata["pom_properties"]`. Outside `META-INF/maven/<group>/<artifact>/` a file must
   name its groupId and artifactId itself: an unrelated `pom.properties` with only a version names nothing;
2. otherwise `META-INF/MANIFEST.MF`: version from Implementation-Version, Bundle-Version or
   Specification-Version; group only from Implementation-Vendor-Id (a Bundle-SymbolicName is not a group id,
   and guessing one would match the wrong advisories);
3. the artifact id from the file name `name-1.2.3.jar` (version from it when the manifest has none).
`Package.name` is `group:artifact` (how OSV and GitHub name Maven packages) or the bare artifact without a
group; the purl is `pkg:maven/<group>/<artifact>@<version>`.

Nested archives (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, a war inside an ear, ...) are read from memory to
a bounded depth, count and size; a nested archive reports the outer file as its location and its chain in
`metadata["archive_path"]` (`app.war:WEB-INF/lib/x.jar`). Corrupt archives, zip bombs and archives that name
no version anywhere are Unknowns with the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".jpi", ".hpi")
MAX_DEPTH = 3
"""A jar in a war in an ear is depth 2; real layouts stop there, so deeper nesting is refused."""
MAX_ENTRIES = 100_000
MAX_NESTED_ARCHIVES = 2_000
MAX_NESTED_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Bytes inflated from all nested archives of one file in the image."""
MAX_METADATA_BYTES = 1024 * 1024
MAX_RATIO = 100
"""Deflate tops out near 1:1000 on zeros; real jars compress 1:2 to 1:10, so a nested entry inflating more
than this (and over 1 MiB) is treated as a bomb."""
_PROPERTY = re.compile(r"(?P<key>[^=:\s]+)\s*[=:\s]\s*(?P<value>.*)")
_MAVEN_POM_PROPERTIES = re.compile(r"(?:.*/)?META-INF/maven/(?P<group>[^/]+)/(?P<artifact>[^/]+)/pom\.properties")
# The version is the last `-<digit>` segment plus any qualifiers after it (`-jre`, `-SNAPSHOT`), so
# `log4j-1.2-api-2.17.1` is log4j-1.2-api 2.17.1.
_NAME_VERSION = re.compile(r"(?P<name>.+)-(?P<version>\d[^-]*(?:-[^\d-][^-]*)*)")
# What zipfile raises on corrupt, truncated, encrypted (RuntimeError) or exotic (NotImplementedError) input.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class ArchiveError(ValueError):
    """An archive could not be read safely: corrupt, encrypted, too large, too deep, or a bomb."""


@dataclass(frozen=True)
class Coordinates:
    group: str | None
    artifact: str
    version: str
    source: str
    """Which file gave them: `pom.properties`, `MANIFEST.MF` or `file name`."""
    entry: str | None = None
    """The archive entry they were read from, for pom.properties."""

    @property
    def name(self) -> str:
        return f"{self.group}:{self.artifact}" if self.group else self.artifact

    @property
    def purl(self) -> str:
        return PackageURL("maven", self.group, self.artifact, self.version).to_string()


@dataclass
class _Walk:
    """What one file of the image yielded, and how much of the nesting budget it has used."""

    found: dict[str, tuple[Coordinates, str]] = field(default_factory=dict)
    """purl -> (coordinates, archive path), first occurrence wins."""
    problems: list[str] = field(default_factory=list)
    inflated: int = 0
    nested: int = 0


def parse_properties(text: str) -> dict[str, str]:
    """`key=value`, `key: value` or `key value` lines of a Java .properties file (comments with # or !)."""
    properties = {}
    for raw in text.splitlines():
        line = raw.strip()
        match = _PROPERTY.match(line)
        if match and not line.startswith(("#", "!")):
            properties[match["key"]] = match["value"].strip()
    return properties


def parse_manifest(text: str) -> dict[str, str]:
    """The main section of a MANIFEST.MF: `Name: value` headers, continuation lines start with one space."""
    headers: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            break  # per-entry sections follow the first blank line
        if line.startswith(" ") and last is not None:
            headers[last] += line[1:]
        elif ":" in line:
            last, _, value = line.partition(":")
            headers[last] = value.strip()
    return headers


def from_file_name(file_name: str) -> tuple[str, str | None]:
    """`commons-lang3-3.12.0.jar` -> (`commons-lang3`, `3.12.0`); no version in it -> (stem, None)."""
    stem = file_name.rsplit(".", 1)[0]
    match = _NAME_VERSION.fullmatch(stem)
    return (match["name"], match["version"]) if match else (stem, None)


def from_manifest(headers: Mapping[str, str], file_name: str) -> Coordinates | None:
    artifact, file_version = from_file_name(file_name)
    version = next(
        (headers[k] for k in ("Implementation-Version", "Bundle-Version", "Specification-Version") if headers.get(k)),
        None,
    )
    if version is not None:
        return Coordinates(headers.get("Implementation-Vendor-Id") or None, artifact, version, "MANIFEST.MF")
    if file_version is not None:
        return Coordinates(headers.get("Implementation-Vendor-Id") or None, artifact, file_version, "file name")
    return None


class JavaArchiveCataloger:
    """Maven coordinates of Java archives, including nested ones."""

    name = "java-archive"
    request = FileRequest(suffixes=ARCHIVE_SUFFIXES, max_size=512 * 1024 * 1024)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            walk = _Walk()
            try:
                _walk_archive(file.content, file.path, 0, walk)
            except ArchiveError as exc:
                walk.problems.insert(0, str(exc))
            location = Location("/" + file.path)
            packages += [self._package(c, p, file.path, location) for c, p in walk.found.values()]
            unknowns += [Unknown("/" + file.path, reason, self.name) for reason in walk.problems]
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))

    def _package(self, coordinates: Coordinates, archive_path: str, path: str, location: Location) -> Package:
        metadata = {"coordinates_from": coordinates.source}
        if coordinates.entry is not None:
            metadata["pom_properties"] = coordinates.entry
        if archive_path != path:
            metadata["archive_path"] = archive_path
        return Package(
            coordinates.name,
            coordinates.version,
            PackageType.MAVEN,
            coordinates.purl,
            self.name,
            (location,),
            metadata=metadata,
        )


def _walk_archive(content: bytes, archive_path: str, depth: int, walk: _Walk) -> None:
    """Record the coordinates of one archive and recurse into the archives inside it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ArchiveError(f"{archive_path}: {len(entries)} entries, more than {MAX_ENTRIES}")
            own = _coordinates(archive, entries, archive_path)
            for coordinates in own:
                walk.found.setdefault(coordinates.purl, (coordinates, archive_path))
            nested_found = _walk_nested(archive, entries, archive_path, depth, walk)
    except ArchiveError:
        raise
    except _ZIP_ERRORS as exc:
        raise ArchiveError(f"{archive_path}: not a readable zip archive: {exc}") from exc
    if not own and not nested_found:
        walk.problems.append(f"{archive_path}: no version in pom.properties, MANIFEST.MF or the file name")


def _coordinates(archive: zipfile.ZipFile, entries: Sequence[zipfile.ZipInfo], archive_path: str) -> list[Coordinates]:
    poms = [e for e in entries if e.filename.rpartition("/")[2] == "pom.properties" and not e.is_dir()]
    found = [c for pom in poms if (c := _from_pom_properties(pom.filename, _read_text(archive, pom)))]
    if found:
        return found
    manifest = next((e for e in entries if e.filename.upper() == "META-INF/MANIFEST.MF"), None)
    headers = parse_manifest(_read_text(archive, manifest)) if manifest is not None else {}
    file_name = archive_path.rpartition(":")[2].rpartition("/")[2]
    from_meta = from_manifest(headers, file_name)
    return [from_meta] if from_meta is not None else []


def _from_pom_properties(entry: str, text: str) -> Coordinates | None:
    """Coordinates from one pom.properties; its Maven directory supplies a group or artifact it leaves out."""
    properties = parse_properties(text)
    maven_dir = _MAVEN_POM_PROPERTIES.fullmatch(entry)
    group = properties.get("groupId") or (maven_dir["group"] if maven_dir else None)
    artifact = properties.get("artifactId") or (maven_dir["artifact"] if maven_dir else None)
    version = properties.get("version")
    if not (group and artifact and version):
        return None
    return Coordinates(group, artifact, version, "pom.properties", entry)


def _read_text(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str:
    if entry.file_size > MAX_METADATA_BYTES:
        raise ArchiveError(f"{entry.filename}: {entry.file_size} bytes, larger than {MAX_METADATA_BYTES}")
    return archive.read(entry).decode("utf-8", errors="replace")


def _walk_nested(
    archive: zipfile.ZipFile, entries: Sequence[zipfile.ZipInfo], archive_path: str, depth: int, walk: _Walk
) -> bool:
    """Recurse into nested archives; a bad nested archive is recorded and its siblings are still read."""
    before = len(walk.found)
    for entry in entries:
        if entry.is_dir() or not entry.filename.lower().endswith(ARCHIVE_SUFFIXES):
            continue
        nested_path = f"{archive_path}:{entry.filename}"
        try:
            content = _read_nested(archive, entry, nested_path, depth, walk)
            _walk_archive(content, nested_path, depth + 1, walk)
        except ArchiveError as exc:
            walk.problems.append(str(exc))
            if walk.nested > MAX_NESTED_ARCHIVES or walk.inflated > MAX_TOTAL_BYTES:
                return True  # the budget of this file is spent: stop instead of reporting every sibling
    return len(walk.found) > before


def _read_nested(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, nested_path: str, depth: int, walk: _Walk) -> bytes:
    walk.nested += 1
    if depth + 1 > MAX_DEPTH:
        raise ArchiveError(f"{nested_path}: nested more than {MAX_DEPTH} archives deep, not read")
    if walk.nested > MAX_NESTED_ARCHIVES:
        raise ArchiveError(f"{nested_path}: more than {MAX_NESTED_ARCHIVES} nested archives, not read")
    size = entry.file_size
    if size > MAX_NESTED_BYTES or walk.inflated + size > MAX_TOTAL_BYTES:
        raise ArchiveError(f"{nested_path}: {size} bytes inflated would exceed the nested archive size limit")
    if size > 1024 * 1024 and size > MAX_RATIO * max(entry.compress_size, 1):
        raise ArchiveError(f"{nested_path}: compression ratio above {MAX_RATIO}:1, a zip bomb")
    walk.inflated += size
    return archive.read(entry)  # zipfile stops at the declared size, so the bound above holds
