"""Random access to the members of an uncompressed tar (oci-archive, docker-archive) without extracting it.

The member table is read once with `tarfile`; afterwards each member is read by seeking to its data offset in
a fresh file handle, so several layers can be streamed at once and nothing touches the disk. Hostile archives
are refused while indexing: absolute or `..` names, device files and hard links always; symbolic links unless
the caller allows them, and then only when they resolve to a regular file inside the archive.
"""

from __future__ import annotations

import posixpath
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.oci.compression import GZIP_MAGIC, ZSTD_MAGIC

_MAX_LINK_HOPS = 8


@dataclass(frozen=True)
class _Member:
    offset: int
    size: int


class MemberReader:
    """A read-only view of one member's bytes; never reads past the member into the next tar header."""

    def __init__(self, handle: BinaryIO, offset: int, size: int) -> None:
        handle.seek(offset)
        self._handle = handle
        self._remaining = size

    def read(self, size: int = -1, /) -> bytes:
        wanted = self._remaining if size < 0 else min(size, self._remaining)
        if wanted <= 0:
            return b""
        chunk = self._handle.read(wanted)
        self._remaining -= len(chunk)
        return chunk

    def close(self) -> None:
        self._handle.close()


class TarMembers:
    """The regular-file members of a tar, by normalized name (`./a/b` and `a/b` are the same member)."""

    def __init__(self, path: Path, *, allow_symlinks: bool, label: str | None = None) -> None:
        self.path = path
        self.label = label or str(path)
        """How messages name the archive: the user's file, also when `path` is a decompressed copy of it."""
        self._files: dict[str, _Member] = {}
        self._links: dict[str, str] = {}
        self._index(allow_symlinks)

    def where(self, name: str) -> str:
        """How error messages name a member: `archive.tar:blobs/sha256/ab...`."""
        return f"{self.label}:{_normalize(name)}"

    def names(self) -> frozenset[str]:
        return frozenset(self._files) | frozenset(self._links)

    def __contains__(self, name: str) -> bool:
        return self._lookup(name) is not None

    def size(self, name: str) -> int:
        return self._require(name).size

    def open(self, name: str) -> MemberReader:
        member = self._require(name)
        return MemberReader(self.path.open("rb"), member.offset, member.size)

    def read(self, name: str, limit: int) -> bytes:
        """A whole (small) member; members over `limit` bytes are refused rather than read into memory."""
        member = self._require(name)
        if member.size > limit:
            raise IntegrityError(f"{self.where(name)} is {member.size} bytes, more than the {limit} allowed")
        reader = self.open(name)
        try:
            return reader.read()
        finally:
            reader.close()

    def _require(self, name: str) -> _Member:
        member = self._lookup(name)
        if member is None:
            raise NotFoundError(f"{self.where(name)} does not exist in the archive")
        return member

    def _lookup(self, name: str) -> _Member | None:
        name = _normalize(name)
        for _ in range(_MAX_LINK_HOPS):
            if name in self._files:
                return self._files[name]
            if name not in self._links:
                return None
            name = self._links[name]
        raise IntegrityError(f"{self.label}: symbolic links around {name!r} form a loop or chain too long")

    def _index(self, allow_symlinks: bool) -> None:
        try:
            with self.path.open("rb") as handle:
                magic = handle.read(4)
        except FileNotFoundError:
            raise NotFoundError(f"archive {self.label} does not exist") from None
        except OSError as exc:
            raise BadInputError(f"cannot read archive {self.label}: {exc.strerror or exc}") from None
        if magic.startswith((GZIP_MAGIC, ZSTD_MAGIC)):
            # Callers decompress first (oci/compressed_archive.py); a compressed file here is a caller's mistake.
            raise BadInputError(f"{self.label} is compressed; it must be decompressed before it is indexed")
        try:
            with tarfile.open(self.path, mode="r:") as archive:
                for info in archive:
                    self._add(info, allow_symlinks)
        except tarfile.TarError as exc:
            raise BadInputError(f"{self.label} is not a readable tar archive: {exc}") from None

    def _add(self, info: tarfile.TarInfo, allow_symlinks: bool) -> None:
        name = _checked_name(info.name, self.label)
        if info.isdir():
            return
        if info.issym() and allow_symlinks:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), info.linkname))
            self._links[name] = _checked_name(target, self.label)
            return
        if not info.isreg() or info.issparse():
            kind = "link" if info.islnk() or info.issym() else "special file"
            raise IntegrityError(f"{self.label}: member {info.name!r} is a {kind}, which this archive may not hold")
        if name in self._files:
            raise IntegrityError(f"{self.label}: member {name!r} appears twice; refusing the ambiguous archive")
        self._files[name] = _Member(offset=info.offset_data, size=info.size)


def _normalize(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/")


def _checked_name(raw: str, archive: str) -> str:
    name = _normalize(raw)
    if name.startswith("/") or ".." in name.split("/") or "\\" in name:
        raise IntegrityError(f"{archive}: member {raw!r} escapes the archive (absolute or `..` path)")
    return name
