"""Debian packages from dpkg's database: `var/lib/dpkg/status` and distroless `var/lib/dpkg/status.d/*`.

Which packages count as installed: dpkg's third Status word is the package state. `not-installed` and
`config-files` (only conffiles left after `remove`) have no program files on disk, so they are not packages
of the image. Every other state (`installed`, `unpacked`, `half-configured`, `half-installed`,
`triggers-awaited`, `triggers-pending`) has its files unpacked, so its vulnerabilities are real: it is
reported, with the state in `metadata["dpkg_status"]` when it is not `installed`. Distroless images write
control paragraphs without Status; a paragraph there without Status is installed. Distroless images also carry
paragraphs without a Version: such a package is reported with an empty version and the reason in
`metadata["version_note"]` (in the status file too), never dropped; only a paragraph without a Package name,
which names nothing, is an Unknown.

Files a package owns come from `var/lib/dpkg/info/<pkg>[:<arch>].list` and distroless
`status.d/<pkg>.md5sums`. When the core tells us which regular files exist, directories and files that are
gone (diverted, deleted later) are left out, so `owned_files` maps only real files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from packageurl import PackageURL

from regwarden.model.sbom import Location, OperatingSystem, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.osrelease import distro_qualifier

STATUS_PATH = "var/lib/dpkg/status"
STATUS_DIR = "var/lib/dpkg/status.d/"
INFO_DIR = "var/lib/dpkg/info/"
_NOT_ON_DISK = frozenset({"not-installed", "config-files"})
_FIELD = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*):[ \t]*(.*)$")
_SOURCE = re.compile(r"^(\S+)(?:\s+\((\S+)\))?$")


@dataclass(frozen=True)
class Paragraph:
    """One control paragraph: its first line number (1-based), its fields, or why it could not be read."""

    line: int
    fields: Mapping[str, str]
    error: str | None = None


def _is_dpkg_file(path: str) -> bool:
    if path == STATUS_PATH:
        return True
    if path.startswith(STATUS_DIR):
        return "/" not in path[len(STATUS_DIR) :]
    return path.startswith(INFO_DIR) and path.endswith(".list") and "/" not in path[len(INFO_DIR) :]


class DpkgCataloger:
    """Finds Debian/Ubuntu packages and the files each one installed."""

    name = "dpkg"
    request = FileRequest(
        basenames=frozenset({"status"}),
        suffixes=(".list",),
        directories=(STATUS_DIR,),
        path_filter=_is_dpkg_file,
    )

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        by_path = {file.path: file.content for file in files}
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        owned: dict[str, str] = {}
        for path in _database_files(by_path):
            for paragraph in parse_paragraphs(_text(by_path[path])):
                result = _package(path, paragraph, context.operating_system)
                if isinstance(result, Unknown):
                    unknowns.append(result)
                elif result is not None:
                    owned_paths = _owned_paths(path, result, by_path, context.all_paths)
                    packages.append(result)
                    for owned_path in owned_paths:
                        owned.setdefault(owned_path, result.purl)
        return CatalogResult(packages=packages, unknowns=unknowns, owned_files=owned)


def parse_paragraphs(text: str) -> Iterator[Paragraph]:
    """deb822 paragraphs separated by blank lines; continuation lines start with a space or a tab.

    A paragraph with a line that is neither a field nor a continuation is yielded with an error, and parsing
    resumes at the next paragraph.
    """
    fields: dict[str, str] = {}
    start, key, error = 0, "", None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if start:
                yield Paragraph(start, fields, error)
            fields, start, key, error = {}, 0, "", None
            continue
        start = start or number
        if line[0] in " \t":
            if key:
                fields[key] += "\n" + line[1:].rstrip()
            else:
                error = error or f"line {number}: continuation line without a field"
            continue
        match = _FIELD.match(line.rstrip())
        if match is None or match[1] in fields:
            error = error or f"line {number}: " + ("not a field" if match is None else f"repeated {match[1]}")
            key = ""
            continue
        key = match[1]
        fields[key] = match[2]
    if start:
        yield Paragraph(start, fields, error)


def _database_files(by_path: Mapping[str, bytes]) -> list[str]:
    """The status file, then status.d entries in name order (their md5sums are file lists, not paragraphs)."""
    status_d = sorted(p for p in by_path if p.startswith(STATUS_DIR) and not p.endswith(".md5sums"))
    return ([STATUS_PATH] if STATUS_PATH in by_path else []) + status_d


def _package(path: str, paragraph: Paragraph, os: OperatingSystem | None) -> Package | Unknown | None:
    def unknown(reason: str) -> Unknown:
        return Unknown(f"/{path}", f"paragraph at line {paragraph.line}: {reason}", cataloger="dpkg")

    if paragraph.error is not None:
        return unknown(paragraph.error)
    fields = paragraph.fields
    name, version = fields.get("Package", "").strip(), fields.get("Version", "").strip()
    if not name:
        return unknown("no Package field")
    state = _state(fields.get("Status"))
    if state is None:
        return unknown(f"Status {fields.get('Status')!r} is not 'want flag state'")
    if state in _NOT_ON_DISK:
        return None
    source = _SOURCE.match(fields.get("Source", "").strip())
    arch = fields.get("Architecture", "").strip() or None
    return Package(
        name=name,
        version=version,
        type=PackageType.DEB,
        purl=deb_purl(name, version, arch, os),
        cataloger="dpkg",
        locations=(Location(f"/{path}"),),
        source_name=source[1] if source else name,
        source_version=(source[2] or version) if source else version,
        arch=arch,
        epoch=_epoch(version),
        metadata=_notes(state, version),
    )


def _notes(state: str, version: str) -> dict[str, str]:
    notes = {} if state == "installed" else {"dpkg_status": state}
    if not version:
        notes["version_note"] = "the control paragraph has no Version"
    return notes


def deb_purl(name: str, version: str, arch: str | None, os: OperatingSystem | None) -> str:
    """`pkg:deb/<os id>/<name>@<version>?arch=..&distro=<id>-<version_id>`; the epoch stays in the version."""
    qualifiers = {"arch": arch or "", "distro": distro_qualifier(os) or ""}
    namespace = os.id if os is not None else "debian"
    return PackageURL(
        type="deb",
        namespace=namespace,
        name=name,
        version=version or None,
        qualifiers={key: value for key, value in qualifiers.items() if value},
    ).to_string()


def _state(status: str | None) -> str | None:
    """The package state (third word of Status); a missing Status (distroless) means installed."""
    if status is None:
        return "installed"
    words = status.split()
    return words[2] if len(words) == 3 else None


def _epoch(version: str) -> int | None:
    head, colon, _ = version.partition(":")
    return int(head) if colon and head.isdigit() else None


def _owned_paths(db_path: str, package: Package, by_path: Mapping[str, bytes], existing: frozenset[str]) -> list[str]:
    """Paths (no leading slash) from the package's .list file, or its distroless .md5sums."""
    paths: list[str] = []
    if db_path == STATUS_PATH:
        for list_name in (f"{package.name}:{package.arch}.list", f"{package.name}.list"):
            content = by_path.get(INFO_DIR + list_name)
            if content is not None:
                paths = [line.strip().lstrip("/") for line in _text(content).splitlines()]
                break
    else:
        for stem in dict.fromkeys((db_path, STATUS_DIR + package.name)):
            content = by_path.get(stem + ".md5sums")
            if content is not None:
                paths += [_md5sums_path(line) for line in _text(content).splitlines()]
    wanted = [path for path in paths if path and path != "."]
    return [path for path in wanted if path in existing] if existing else wanted


def _md5sums_path(line: str) -> str:
    """`<md5>  <path>`: the path may contain spaces, so split once on the checksum's separator."""
    _, _, path = line.strip().partition("  ")
    return path.strip().lstrip("/")


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")
