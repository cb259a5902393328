"""Local image sources: `oci:DIR[:ref]`, `oci-archive:FILE[:ref]` and `docker-archive:FILE[:ref]`.

Each class implements `regwarden.oci.source.ImageSource`. `parse_source_spec` splits the user's text and
`open_local_source` turns it into a source.

How a spec is split (paths may contain `:`):
1. Text up to the first `:` is the transport; it must be `oci`, `oci-archive` or `docker-archive`.
2. If the whole remainder names an existing file or directory, it is the path and there is no ref.
3. Otherwise the path ends at a `:` whose remainder is a valid ref: an OCI `ref.name` or a digest for
   `oci`/`oci-archive`; a docker reference (`app:1.0`, `localhost:5000/app:1.0`) or `@N` for docker-archive.
   The first such `:` whose path exists on disk wins; if none exists, the first such `:`.
4. If no `:` qualifies, the whole remainder is the path.
So `oci:/data/lay:out` opens the directory `/data/lay:out` when it exists, and `oci:/data/lay` with ref `out`
otherwise; `oci:/data/lay:out:v1` is `/data/lay:out` with ref `v1` when that directory exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.image import ImageMetadata, Layer, Platform
from regwarden.oci.blobs import VerifyingReader
from regwarden.oci.compressed_archive import ArchiveTar
from regwarden.oci.docker_archive import DockerArchiveSource
from regwarden.oci.layout import DirectoryFiles, LayoutFiles, blob_name, resolve_layout
from regwarden.oci.source import ImageSource
from regwarden.oci.tar_members import TarMembers

__all__ = [
    "TRANSPORTS",
    "DockerArchiveSource",
    "OciArchiveSource",
    "OciLayoutSource",
    "open_local_source",
    "parse_source_spec",
]

TRANSPORTS = ("oci", "oci-archive", "docker-archive")
# image-spec annotations.md: the grammar of org.opencontainers.image.ref.name (digests fit it as well).
_OCI_REF = re.compile(r"[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*")
_DOCKER_REF = re.compile(r"@\d+|[A-Za-z0-9][A-Za-z0-9._-]*(?::\d+)?(?:/[a-z0-9][a-z0-9._-]*)*(?::[\w][\w.-]{0,127})?")


class _LayoutSource:
    """Shared by the directory and tar forms of an OCI layout: only where files come from differs."""

    transport = ""

    def __init__(self, path: Path, ref: str | None, platform: Platform) -> None:
        self.path = path
        self.ref = ref
        self.platform = platform
        self._metadata: ImageMetadata | None = None

    def resolve(self) -> ImageMetadata:
        if self._metadata is None:
            reference = f"{self.transport}:{self.path}" + (f":{self.ref}" if self.ref else "")
            self._metadata = resolve_layout(self._files(), self.ref, self.platform, reference)
        return self._metadata

    def open_layer(self, layer: Layer) -> BinaryIO:
        files = self._files()
        name = blob_name(layer.digest)
        return VerifyingReader(files.open(name), layer.digest, layer.size, f"layer {layer.index} ({files.where(name)})")

    def close(self) -> None:
        """Nothing to release: each opened layer owns (and closes) its own file handle."""

    def _files(self) -> LayoutFiles:
        raise NotImplementedError


class OciLayoutSource(_LayoutSource):
    """An OCI image layout directory (`oci:DIR[:ref]`), as written by skopeo, umoci, buildah or crane."""

    transport = "oci"

    def _files(self) -> LayoutFiles:
        if self.path.is_file():
            raise BadInputError(f"{self.path} is a file, not a directory; for a tar use oci-archive:{self.path}")
        if not self.path.is_dir():
            raise NotFoundError(f"OCI layout directory {self.path} does not exist")
        return DirectoryFiles(self.path)


class OciArchiveSource(_LayoutSource):
    """A tar of an OCI image layout (`oci-archive:FILE[:ref]`), read in place; links in it are refused.

    A gzip or zstd compressed tar is read through a private decompressed copy (see oci/compressed_archive.py).
    """

    transport = "oci-archive"

    def __init__(self, path: Path, ref: str | None, platform: Platform) -> None:
        super().__init__(path, ref, platform)
        self._archive = ArchiveTar(path)
        self._members: TarMembers | None = None

    def close(self) -> None:
        self._members = None
        self._archive.close()

    def _files(self) -> LayoutFiles:
        if self._members is None:
            self._members = self._archive.members(allow_symlinks=False)
        return self._members


def parse_source_spec(text: str) -> tuple[str, str, str | None]:
    """Split `transport:path[:ref]` into (transport, path, ref) by the rule in this module's docstring."""
    transport, separator, rest = text.partition(":")
    if not separator or transport not in TRANSPORTS:
        raise BadInputError(f"{text!r} is not a local image; use one of: {', '.join(t + ':PATH' for t in TRANSPORTS)}")
    if not rest:
        raise BadInputError(f"{text!r} names no path")
    if Path(rest).exists():
        return transport, rest, None
    grammar = _DOCKER_REF if transport == "docker-archive" else _OCI_REF
    splits = [(rest[: m.start()], rest[m.end() :]) for m in re.finditer(":", rest)]
    candidates = [(path, ref) for path, ref in splits if path and grammar.fullmatch(ref)]
    for path, ref in candidates:
        if Path(path).exists():
            return transport, path, ref
    if candidates:
        return transport, *candidates[0]
    return transport, rest, None


def open_local_source(text: str, platform: Platform) -> ImageSource:
    """The ImageSource for an `oci:`, `oci-archive:` or `docker-archive:` spec (nothing is read yet)."""
    transport, path, ref = parse_source_spec(text)
    if transport == "oci":
        return OciLayoutSource(Path(path), ref, platform)
    if transport == "oci-archive":
        return OciArchiveSource(Path(path), ref, platform)
    return DockerArchiveSource(Path(path), ref, platform)
