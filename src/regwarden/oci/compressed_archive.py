"""The tar inside an image archive file, which may be compressed: `docker save | gzip > app.tar.gz`, or zstd.

Why a private decompressed copy on disk, rather than streaming or memory:
- Archives are read by random access. `docker save` writes `manifest.json` last, so nothing is known about the
  layers until the end; then layers are read again, several at once, while the SBOM is built. A gzip or zstd
  stream can only be read front to back, so without a copy every member read would re-inflate the archive from
  its start (what go-containerregistry's tarball reader does: time grows with members × size).
- Memory stays bounded (one 1 MiB step); a copy in memory would cost the image's uncompressed size.
- Safety: the copy is the tar itself, byte for byte; nothing from inside it is extracted, and no member name ever
  becomes a path. The copy is created by `mkstemp` (mode 0600, a name of our own in TMPDIR), its growth is
  capped by a size limit and by a ratio to the compressed bytes read (a gzip bomb stops after `ratio_floor_bytes`
  at most), and it is removed on `close()`, or at interpreter exit by a finalizer.
The cost is one sequential inflate (about 250 MB/s of output with zlib, faster with ISA-L) and the uncompressed
size in TMPDIR for the life of the source.
"""

from __future__ import annotations

import errno
import os
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.oci.compression import ZSTD_MAGIC, CorruptLayerError, open_layer_stream, sniff_compression
from regwarden.oci.tar_members import TarMembers

_STEP = 1024 * 1024


@dataclass(frozen=True)
class DecompressLimits:
    max_bytes: int = 64 * 1024**3
    """Largest uncompressed tar accepted (64 GiB: far above real images, far below a bomb's reach)."""
    max_ratio: float = 200.0
    """Uncompressed bytes per compressed byte; a `docker save` of real images gzips at 2–5×, zero-filled files
    at up to gzip's 1032× ceiling, so the ratio is enforced only past `ratio_floor_bytes`."""
    ratio_floor_bytes: int = 256 * 1024**2


class ArchiveLimitError(IntegrityError):
    """A compressed archive expands beyond the size or ratio limit: a decompression bomb, or not an image."""


class ArchiveTar:
    """The tar behind an archive path: the file itself when uncompressed, else a private decompressed copy."""

    def __init__(self, path: Path, limits: DecompressLimits | None = None, temp_dir: Path | None = None) -> None:
        self.path = path
        self._limits = limits or DecompressLimits()
        self._temp_dir = temp_dir
        self._copy: Path | None = None
        self._finalizer: weakref.finalize[[Path], ArchiveTar] | None = None

    @property
    def compression(self) -> str:
        """`gzip`, `zstd` or `tar`, from the file's first bytes."""
        try:
            with self.path.open("rb") as handle:
                return sniff_compression(handle.read(len(ZSTD_MAGIC)))
        except FileNotFoundError:
            raise NotFoundError(f"archive {self.path} does not exist") from None
        except OSError as exc:
            raise BadInputError(f"cannot read archive {self.path}: {exc.strerror or exc}") from None

    def members(self, *, allow_symlinks: bool) -> TarMembers:
        """Index the tar (decompressing it first when needed); messages name the user's file."""
        tar = self._tar_path()
        return TarMembers(tar, allow_symlinks=allow_symlinks, label=str(self.path))

    def close(self) -> None:
        """Remove the decompressed copy, if one was made; readers still open on it keep working on POSIX."""
        if self._finalizer is not None:
            self._finalizer()
        self._copy, self._finalizer = None, None

    def _tar_path(self) -> Path:
        if self._copy is not None:
            return self._copy
        kind = self.compression
        if kind == "tar":
            return self.path
        handle, name = tempfile.mkstemp(prefix="regwarden-archive-", suffix=".tar", dir=self._temp_dir)
        copy = Path(name)
        self._finalizer = weakref.finalize(self, _remove, copy)
        try:
            with os.fdopen(handle, "wb") as target:
                _decompress(self.path, kind, target, copy, self._limits)
        except BaseException:
            self.close()
            raise
        self._copy = copy
        return copy


def _decompress(path: Path, kind: str, target: BinaryIO, copy: Path, limits: DecompressLimits) -> None:
    raw = _CountingFile(path.open("rb"))
    stream = open_layer_stream(raw, what="archive")
    written = 0
    try:
        while chunk := stream.read(_STEP):
            written += len(chunk)
            _check_limits(path, kind, written, raw.count, limits)
            target.write(chunk)
    except CorruptLayerError as exc:
        raise IntegrityError(f"{path}: {exc}") from None
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        raise BadInputError(
            f"no room in {copy.parent} to decompress {path} ({written} bytes written): "
            "free space there or point TMPDIR elsewhere"
        ) from None
    finally:
        stream.close()


def _check_limits(path: Path, kind: str, written: int, compressed: int, limits: DecompressLimits) -> None:
    if written > limits.max_bytes:
        raise ArchiveLimitError(f"{path}: decompresses to more than {limits.max_bytes} bytes; refusing it")
    if written > limits.ratio_floor_bytes and written > limits.max_ratio * max(compressed, 1):
        raise ArchiveLimitError(
            f"{path}: {kind} data expands over {limits.max_ratio:g} times its size (a decompression bomb?)"
        )


class _CountingFile:
    """The compressed file, counting what the inflater has read of it (the ratio's denominator)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._handle.read(size)
        self.count += len(data)
        return data

    def close(self) -> None:
        self._handle.close()


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
