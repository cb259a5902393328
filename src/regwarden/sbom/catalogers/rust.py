"""Rust executables built with cargo-auditable: zlib-compressed JSON in a `.dep-v0` section.

The JSON (schema https://rustsec.org/schemas/cargo-auditable.json) is `{"format": N, "packages": [{"name",
"version", "source", "kind", "dependencies", "root"}]}`; `kind` defaults to `runtime` and `root` to false when
omitted; `source` is `crates.io`, `local` (the root crate, workspace members, path dependencies), `git`,
`registry` (an alternate registry) or another string.

What is reported, and why:
- every crate of kind `runtime`, whatever its source, as `pkg:cargo/<name>@<version>` (as Syft and Trivy do),
  with its source in `metadata["source"]`; the root crate (the executable's own package) is marked
  `metadata["role"] = "root crate"`. A crate from outside crates.io may share a crates.io name: its `source`
  says so.
- `kind: build` crates (build scripts, proc-macros) are not linked into the executable, so they are not
  packages of the image (as in Syft and Trivy); they are listed in `metadata["build_only_crates"]` of the root
  crate (of every reported crate when no root is marked), so nothing in the audit data is dropped silently.
Executables without the section are simply not cargo-auditable builds (no Unknown); a section that does not
decompress or parse is an Unknown.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.binfmt import BinaryFormatError, MarkedExecutables, parse_binary
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult

SECTION = ".dep-v0"
MAX_JSON_BYTES = 8 * 1024 * 1024
"""A dependency list of thousands of crates is ~100 KB of JSON; more than this is a decompression bomb."""
CRATES_IO = "crates.io"
ROLE_ROOT = "root crate"


class AuditDataError(ValueError):
    """The `.dep-v0` section is present but is not zlib-compressed cargo-auditable JSON."""


@dataclass(frozen=True)
class Crate:
    name: str
    version: str
    source: str
    kind: str
    root: bool


def find_audit_data(data: bytes) -> tuple[Crate, ...] | None:
    """The crates recorded in an executable, or None when it has no `.dep-v0` section."""
    try:
        binary = parse_binary(data)
    except BinaryFormatError:
        return None
    section = binary.section(SECTION) if binary is not None else None
    if binary is None or section is None:
        return None
    return parse_audit_data(binary.content(section))


def parse_audit_data(compressed: bytes) -> tuple[Crate, ...]:
    decompressor = zlib.decompressobj()
    try:
        raw = decompressor.decompress(compressed, MAX_JSON_BYTES)
    except zlib.error as exc:
        raise AuditDataError(f"section is not zlib data: {exc}") from exc
    if decompressor.unconsumed_tail:
        raise AuditDataError(f"decompressed data exceeds {MAX_JSON_BYTES} bytes")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AuditDataError(f"section is not JSON: {exc}") from exc
    packages = document.get("packages") if isinstance(document, dict) else None
    if not isinstance(packages, list):
        raise AuditDataError('JSON has no "packages" list')
    return tuple(_crate(entry, index) for index, entry in enumerate(packages))


def _crate(entry: object, index: int) -> Crate:
    if not isinstance(entry, dict):
        raise AuditDataError(f"packages[{index}] is not an object")
    fields = {"name": entry.get("name"), "version": entry.get("version"), "source": _source(entry.get("source"))}
    missing = [key for key, value in fields.items() if not isinstance(value, str) or not value]
    if missing:
        raise AuditDataError(f"packages[{index}] lacks {', '.join(missing)}")
    kind = entry.get("kind", "runtime")
    return Crate(
        str(fields["name"]),
        str(fields["version"]),
        str(fields["source"]),
        str(kind).lower(),
        entry.get("root") is True,
    )


def _source(raw: object) -> str | None:
    """`crates.io`, `local`, `git`, `registry`, or the string of an `Other` source.

    The schema also spells the variants as Rust names (`CratesIo`, `{"Other": "..."}`): read both.
    """
    if isinstance(raw, dict) and len(raw) == 1:
        raw = raw.get("Other")
    if not isinstance(raw, str):
        return None
    lowered = raw.lower()
    return CRATES_IO if lowered == "cratesio" else lowered


def cargo_purl(name: str, version: str) -> str:
    return PackageURL(type="cargo", name=name, version=version).to_string()


class CargoAuditableCataloger:
    """Crates linked into Rust executables built with cargo-auditable."""

    name = "cargo-auditable-binary"
    # ELF, PE and Mach-O all store a section's name as its plain bytes (ELF in its string table), so an
    # executable without these bytes has no `.dep-v0` section.
    request = MarkedExecutables(executables=True, max_size=256 * 1024 * 1024, markers=(SECTION.encode(),))

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            try:
                crates = find_audit_data(file.content)
            except AuditDataError as exc:
                unknowns.append(Unknown("/" + file.path, f"corrupt cargo-auditable data: {exc}", self.name))
                continue
            if crates is not None:
                packages.extend(self._packages(crates, Location("/" + file.path)))
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))

    def _packages(self, crates: Sequence[Crate], location: Location) -> list[Package]:
        runtime = sorted({(c.name, c.version, c.source, c.root) for c in crates if c.kind != "build"})
        build_only = ", ".join(sorted({f"{c.name}@{c.version}" for c in crates if c.kind == "build"}))
        has_root = any(root for *_, root in runtime)
        packages = []
        for name, version, source, root in runtime:
            metadata = {"source": source}
            if root:
                metadata["role"] = ROLE_ROOT
            if build_only and (root or not has_root):
                metadata["build_only_crates"] = build_only
            purl = cargo_purl(name, version)
            packages.append(Package(name, version, PackageType.CARGO, purl, self.name, (location,), metadata=metadata))
        return packages
