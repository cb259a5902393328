"""Layer blob decompression: sniff the magic bytes, stream the uncompressed tar, fail loudly on corrupt data.

Layers are gzip (`1f 8b`), zstd (`28 b5 2f fd`) or plain tar; the media type is not trusted because
docker-archive and some registries mislabel blobs. Output is produced in bounded steps so a decompression bomb
never expands into memory in one call; the caller (the layer filesystem) enforces the size and ratio limits on
the counted bytes. gzip is inflated by ISA-L (the `isal` package, about twice as fast as zlib) when it is
installed, else by the stdlib's zlib; both release the GIL, so layers decompress in parallel threads.
"""

from __future__ import annotations

import importlib
import io
import zlib
from types import ModuleType
from typing import Any, BinaryIO, Protocol

import zstandard

from regwarden.model.errors import IntegrityError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_INPUT_CHUNK = 256 * 1024
_OUTPUT_STEP = 1024 * 1024
# zstd can expand a few bytes of RLE block into 128 KiB, and its decompressobj has no output cap, so input is
# fed in small slices: at most _ZSTD_SLICE * 32768 bytes can come out of one call.
_ZSTD_SLICE = 2 * 1024


class BlobStream(Protocol):
    """What is read from a layer blob: any binary stream (`BinaryIO` fits)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class CorruptLayerError(IntegrityError):
    """A layer blob is not valid gzip/zstd, or ends before its compressed stream does."""


class _Inflater:
    """One decompression algorithm over a raw stream; `step()` returns the next output, b"" at the end."""

    def __init__(self, raw: BlobStream, head: bytes, kind: str, inflate: ModuleType, what: str) -> None:
        self._raw = raw
        self._kind = kind
        self._what = what
        self._inflate = inflate
        self._errors = (zlib.error, zstandard.ZstdError, inflate.error)
        self._input = memoryview(head)
        self._raw_done = False
        self._finished = False
        self._decoder = self._new_decoder()
        self.compressed_bytes = len(head)

    def _new_decoder(self) -> Any:
        if self._kind == "gzip":
            return self._inflate.decompressobj(wbits=31)
        return zstandard.ZstdDecompressor().decompressobj()

    def _fill(self) -> None:
        if not self._input and not self._raw_done:
            chunk = self._raw.read(_INPUT_CHUNK)
            self.compressed_bytes += len(chunk)
            if chunk:
                self._input = memoryview(chunk)
            else:
                self._raw_done = True

    def step(self) -> bytes:
        while True:
            self._fill()
            if not self._input:
                return self._finish()
            try:
                out = self._decode_some()
            except self._errors as exc:
                raise CorruptLayerError(f"corrupt {self._kind} {self._what} data: {exc}") from exc
            if self._decoder.eof and not self._finished:
                self._next_member()
            if out:
                return out

    def _decode_some(self) -> bytes:
        if self._kind == "zstd":
            data, self._input = self._input[:_ZSTD_SLICE], self._input[_ZSTD_SLICE:]
            piece: bytes = self._decoder.decompress(data)
            return piece
        out: bytes = self._decoder.decompress(self._input, _OUTPUT_STEP)
        self._input = memoryview(self._decoder.unconsumed_tail)
        return out

    def _next_member(self) -> None:
        """Gzip and zstd both allow concatenated members/frames; trailing zero padding is tolerated."""
        rest = bytes(self._decoder.unused_data)
        if self._kind == "zstd":  # zlib leaves a stale unconsumed_tail at eof; its unused_data already has it all
            rest += bytes(self._input)
        self._input = memoryview(b"")
        while len(rest) < len(ZSTD_MAGIC) and not self._raw_done:
            self._fill()
            rest += bytes(self._input)
            self._input = memoryview(b"")
        if not rest.strip(b"\0"):
            self._drain_padding()
            self._finished = True
            return
        magic = GZIP_MAGIC if self._kind == "gzip" else ZSTD_MAGIC
        if not rest.startswith(magic):
            raise CorruptLayerError(f"unexpected data after the end of the {self._kind} stream")
        self._input = memoryview(rest)
        self._decoder = self._new_decoder()

    def _drain_padding(self) -> None:
        # Read the blob to its end so the source can verify the digest; only zeros may follow.
        while chunk := self._raw.read(_INPUT_CHUNK):
            self.compressed_bytes += len(chunk)
            if chunk.strip(b"\0"):
                raise CorruptLayerError(f"unexpected data after the end of the {self._kind} stream")
        self._raw_done = True

    def _finish(self) -> bytes:
        if self._finished:
            return b""
        raise CorruptLayerError(f"truncated {self._kind} {self._what}: it ends inside the compressed stream")


class _LayerReader(io.BufferedIOBase, BinaryIO):
    """A read-only stream of uncompressed layer bytes.

    Not an `io.BufferedReader` over a raw reader: that copies every byte twice more (into its buffer, then out
    of it), which costs more than inflating on a plain-tar layer. Here the decoder's output, or the plain
    blob's own chunk, is handed over as is whenever it fits the request.
    """

    def __init__(self, raw: BlobStream, head: bytes, kind: str, inflate: ModuleType, what: str) -> None:
        super().__init__()
        self._raw = raw
        self._inflater = _Inflater(raw, head, kind, inflate, what) if kind != "tar" else None
        self._pending = head if kind == "tar" else b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_OUTPUT_STEP), b""))
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            piece = self._pending or self._next_output(wanted)
            if not piece:
                break
            if len(piece) > wanted:
                piece, self._pending = piece[:wanted], piece[wanted:]
            else:
                self._pending = b""
            parts.append(piece)
            wanted -= len(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _next_output(self, wanted: int) -> bytes:
        if self._inflater is not None:
            return self._inflater.step()
        return self._raw.read(wanted)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


def gzip_backend(accelerated: bool = True) -> ModuleType:
    """isal's zlib-compatible `isal_zlib` when wanted and installed, else the stdlib's `zlib`."""
    if accelerated:
        try:
            return importlib.import_module("isal.isal_zlib")
        except ImportError:
            pass
    return zlib


def sniff_compression(head: bytes) -> str:
    """`gzip`, `zstd` or `tar`, from the first bytes of a blob."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return "tar"


def open_layer_stream(blob: BlobStream, *, accelerated: bool = True, what: str = "layer") -> BinaryIO:
    """The uncompressed tar stream of a layer blob (buffered: `read(n)` returns n bytes unless at the end).

    Closing it closes `blob`. Corrupt or truncated compressed data raises `CorruptLayerError` while reading, with
    `what` (a layer, an archive) in its message. `accelerated=False` forces the stdlib's zlib for gzip (see
    `gzip_backend`).
    """
    head = b""
    while len(head) < len(ZSTD_MAGIC):
        chunk = blob.read(len(ZSTD_MAGIC) - len(head))
        if not chunk:
            break
        head += chunk
    kind = sniff_compression(head)
    # isal is imported only for gzip layers: docker-archive layers are plain tars
    return _LayerReader(blob, head, kind, gzip_backend(accelerated) if kind == "gzip" else zlib, what)
