"""Ubuntu "chiselled" images: Debian packages from Chisel's manifest, `var/lib/chisel/manifest.wall`.

Chisel cuts slices of .deb packages into an image without dpkg, so there is no dpkg database; instead it
writes a zstd-compressed "jsonwall": one JSON object per line, the first a header (`{"jsonwall": "1.0", ...}`),
the rest entries with a `kind`:
- `package`: `name`, `version`, `arch` (and the .deb's `sha256`) of every package a slice was cut from;
- `slice`: `name` as `<package>_<slice>` (Debian package names cannot contain `_`);
- `path`: one path in the image and the `slices` it came from; regular files carry a `sha256`, links a
  `link`, directories end in `/`. These give the files each package owns.
The manifest does not name source packages, so `source_name` stays unknown rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import zstandard

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.oci.compression import ZSTD_MAGIC
from regwarden.sbom.catalogers.dpkg import deb_purl
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "chisel"
MANIFEST_PATH = "var/lib/chisel/manifest.wall"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""Inflated size limit: a real manifest is a few hundred KiB; more than this is a bomb, not a manifest."""
_STEP = 1024


class ManifestError(ValueError):
    """The manifest cannot be read; the cataloger records it as an Unknown with this message."""


class ChiselCataloger:
    """Finds the packages Chisel cut slices from, and the files each one installed."""

    name = CATALOGER_NAME
    request = FileRequest(basenames=frozenset({"manifest.wall"}), path_filter=lambda path: path == MANIFEST_PATH)

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        manifest = next((file for file in files if file.path == MANIFEST_PATH), None)
        if manifest is None:
            return CatalogResult()
        try:
            entries = list(parse_jsonwall(_inflate(manifest.content)))
        except ManifestError as error:
            return CatalogResult(unknowns=[Unknown(f"/{MANIFEST_PATH}", str(error), cataloger=CATALOGER_NAME)])
        packages: dict[str, Package] = {}
        unknowns: list[Unknown] = []
        for number, entry in entries:
            if entry.get("kind") != "package":
                continue
            name, version, arch = (entry.get(key) for key in ("name", "version", "arch"))
            if not isinstance(name, str) or not name or not isinstance(version, str) or not version:
                reason = f"line {number}: package entry without a name or version"
                unknowns.append(Unknown(f"/{MANIFEST_PATH}", reason, cataloger=CATALOGER_NAME))
                continue
            packages[name] = _package(name, version, arch if isinstance(arch, str) and arch else None, context)
        owned = _owned_files([entry for _, entry in entries], packages)
        return CatalogResult(packages=list(packages.values()), unknowns=unknowns, owned_files=owned)


def parse_jsonwall(text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line number, entry) for every entry after the header; raises ManifestError on a malformed line."""
    lines = text.splitlines()
    header = _json_object(lines[0] if lines else "", 1)
    if "jsonwall" not in header:
        raise ManifestError("not a jsonwall manifest: the first line has no `jsonwall` version")
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            yield number, _json_object(line, number)


def _json_object(line: str, number: int) -> Mapping[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as error:
        raise ManifestError(f"line {number}: invalid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ManifestError(f"line {number}: not a JSON object")
    return value


def _inflate(content: bytes) -> str:
    """The manifest is zstd-compressed as Chisel writes it; an uncompressed one is read as is."""
    return (_zstd(content) if content.startswith(ZSTD_MAGIC) else content).decode("utf-8", errors="replace")


def _zstd(content: bytes) -> bytes:
    """Decompress in small input steps: one zstd block inflates at most ~32000:1, so checking the size after
    every 1 KiB of input stops a bomb within a few tens of MiB."""
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    chunks: list[bytes] = []
    size = 0
    try:
        for start in range(0, len(content), _STEP):
            chunk = decompressor.decompress(content[start : start + _STEP])
            size += len(chunk)
            if size > MAX_MANIFEST_BYTES:
                raise ManifestError(f"manifest inflates to more than {MAX_MANIFEST_BYTES} bytes")
            chunks.append(chunk)
            if decompressor.eof:
                break
    except zstandard.ZstdError as error:
        raise ManifestError(f"corrupt zstd data: {error}") from None
    if not decompressor.eof:
        raise ManifestError("corrupt zstd data: the stream is truncated")
    return b"".join(chunks)


def _package(name: str, version: str, arch: str | None, context: CatalogContext) -> Package:
    head, colon, _ = version.partition(":")
    return Package(
        name=name,
        version=version,
        type=PackageType.DEB,
        purl=deb_purl(name, version, arch, context.operating_system),
        cataloger=CATALOGER_NAME,
        locations=(Location(f"/{MANIFEST_PATH}"),),
        arch=arch,
        epoch=int(head) if colon and head.isdigit() else None,
    )


def _owned_files(entries: Sequence[Mapping[str, Any]], packages: Mapping[str, Package]) -> dict[str, str]:
    """Regular files (entries with a sha256) -> purl of the package of the first slice that lists them."""
    owned: dict[str, str] = {}
    for entry in entries:
        path, slices = entry.get("path"), entry.get("slices")
        if entry.get("kind") != "path" or not isinstance(path, str) or "sha256" not in entry:
            continue
        for slice_name in slices if isinstance(slices, list) else []:
            package = packages.get(str(slice_name).partition("_")[0])
            if package is not None:
                owned.setdefault(path.lstrip("/"), package.purl)
                break
    return owned
