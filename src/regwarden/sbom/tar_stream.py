"""A streaming tar header reader for layer tars: ustar, GNU long names and pax, never extracting anything.

GNU sparse members (old GNU `S` and pax 0.0/0.1/1.0, see tar_sparse.py) come out as regular files under their
real name and size, and `read_body()` returns their content rebuilt from the sparse map; a member whose map
cannot be used is reported with a `problem`, under its real name.

The stdlib `tarfile` builds a TarInfo per member, trusts pax header sizes, and can only skip bodies by reading
them through several layers of Python; this reader parses the 512-byte headers by slicing one large buffer and
skips bodies inside it, which is what makes a 200k-entry layer cheap. Everything it reads is bounded by
`TarLimits`.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from regwarden.model.errors import IntegrityError
from regwarden.oci.compression import CorruptLayerError
from regwarden.sbom.tar_fields import cstr, parse_number, parse_pax_records, parse_pax_size
from regwarden.sbom.tar_sparse import SparseMap, SparseMapError, is_sparse, ordered_pax_map, read_sparse_map

BLOCK = 512
_READ_SIZE = 1024 * 1024
_ZERO_BLOCK = bytes(BLOCK)
# name, mode, size, checksum, typeflag, linkname, magic, prefix (uid, gid, mtime, owner names skipped)
_HEADER = struct.Struct("100s8s8x8x12s12x8sc100s6s2x32x32x8x8x155s12x")
_EXTENSIONS = frozenset((b"L", b"K", b"x", b"g"))

# Entry kinds, as the tar typeflag byte normalises to them.
FILE, HARDLINK, SYMLINK, CHARDEV, BLOCKDEV, DIRECTORY, FIFO, OTHER = "0", "1", "2", "3", "4", "5", "6", "?"
_KINDS = {b"0": FILE, b"\0": FILE, b"7": FILE, b"1": HARDLINK, b"2": SYMLINK, b"3": CHARDEV, b"4": BLOCKDEV}
_KINDS |= {b"5": DIRECTORY, b"6": FIFO}


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class LayerLimitError(IntegrityError):
    """A layer is larger, more compressed or has more entries than the limits allow (a likely bomb)."""


@dataclass(frozen=True)
class TarLimits:
    max_bytes: int
    max_entries: int
    max_header_bytes: int


class TarHeader:
    """One member's metadata after GNU/pax extensions are applied; `problem` notes a per-entry oddity."""

    __slots__ = ("kind", "link", "mode", "name", "problem", "size")

    def __init__(self, name: str, kind: str, mode: int, size: int, link: str, problem: str | None) -> None:
        self.name = name
        self.kind = kind
        self.mode = mode
        self.size = size
        self.link = link
        self.problem = problem


class TarStream:
    """Iterate `headers()`; after each header call `read_body()` or `skip_body()` (the default)."""

    def __init__(self, stream: Readable, limits: TarLimits, label: str) -> None:
        self._stream = stream
        self._limits = limits
        self._label = label
        self._buf = b""
        self._pos = 0
        self._consumed = 0  # bytes taken from the stream so far
        self._body_left = 0
        self._sparse: SparseMap | None = None  # the map of the current member, when it is GNU sparse
        self.entries = 0
        self.trailing_data = False

    @property
    def bytes_read(self) -> int:
        return self._consumed

    def _refill(self, need: int) -> bool:
        """Make `need` bytes available at `_pos`; False if the stream ends first."""
        rest = self._buf[self._pos :] if self._pos < len(self._buf) else b""
        chunks = [rest] if rest else []
        have = len(rest)
        while have < need:
            chunk = self._stream.read(max(_READ_SIZE, need - have))
            if not chunk:
                break
            self._count(len(chunk))
            chunks.append(chunk)
            have += len(chunk)
        # one chunk (the usual case: the previous buffer ended on an entry boundary) is used without a copy
        self._buf = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._pos = 0
        return have >= need

    def _count(self, n: int) -> None:
        self._consumed += n
        if self._consumed > self._limits.max_bytes:
            raise LayerLimitError(
                f"{self._label}: uncompressed size exceeds the limit of {self._limits.max_bytes} bytes"
            )

    def _skip(self, n: int) -> None:
        available = len(self._buf) - self._pos
        if n <= available:
            self._pos += n
            return
        n -= available
        while True:  # whole chunks, the last one kept as the buffer: the next headers are parsed in place
            chunk = self._stream.read(_READ_SIZE)
            if not chunk:
                self._buf, self._pos = b"", 0
                raise CorruptLayerError(f"{self._label}: truncated tar (the stream ends inside an entry)")
            self._count(len(chunk))
            if len(chunk) >= n:
                self._buf, self._pos = chunk, n
                return
            n -= len(chunk)

    def read_body(self) -> bytes:
        if self._sparse is not None:
            sparse, self._sparse = self._sparse, None
            return sparse.expand(self.read_body())
        size, self._body_left = self._body_left, 0
        available = len(self._buf) - self._pos
        if size <= available:
            data = self._buf[self._pos : self._pos + size]
            self._pos += size
        else:  # a body past the buffer is read straight from the stream, so it is copied only once
            head = self._buf[self._pos :]
            self._buf, self._pos = b"", 0
            data = head + self._read_exact(size - available)
        self._skip(-size % BLOCK)
        return data

    def read_body_holding(self, markers: tuple[bytes, ...]) -> bytes | None:
        """The body if it contains one of `markers`, else None; searched where it lies, copied only if kept."""
        if self._sparse is not None:
            content = self.read_body()
            return content if any(marker in content for marker in markers) else None
        size, self._body_left = self._body_left, 0
        end = self._pos + size
        if end <= len(self._buf):
            buf, start, self._pos = self._buf, self._pos, end
            found = any(buf.find(marker, start, end) >= 0 for marker in markers)
            data = buf[start:end] if found else None
        else:
            pieces = [self._buf[self._pos :]]
            self._buf, self._pos = b"", 0
            left = size - len(pieces[0])
            while left > 0:
                pieces.append(self._read_exact(min(left, _READ_SIZE)))
                left -= len(pieces[-1])
            data = b"".join(pieces) if _pieces_hold(pieces, markers) else None
        self._skip(-size % BLOCK)
        return data

    def _read_exact(self, n: int) -> bytes:
        chunks = []
        while n > 0:
            chunk = self._stream.read(n)
            if not chunk:
                raise CorruptLayerError(f"{self._label}: truncated tar (the stream ends inside an entry)")
            self._count(len(chunk))
            chunks.append(chunk)
            n -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def skip_body(self) -> None:
        size, self._body_left = self._body_left, 0
        self._skip(size + (-size % BLOCK))

    def headers(self) -> Iterator[TarHeader]:
        """Each member's header; GNU long names and pax records are folded into the member they precede."""
        pending: dict[str, str] = {}  # "path"/"linkpath"/"size"/"sparse" from L, K and x headers
        limits, label = self._limits, self._label
        while True:
            left = self._body_left
            if left:  # skip the previous body; usually it lies inside the buffer already
                self._body_left = 0
                left += -left % BLOCK
                if self._pos + left <= len(self._buf):
                    self._pos += left
                else:
                    self._skip(left)
            pos = self._pos
            if pos + BLOCK > len(self._buf):
                if not self._refill(BLOCK):
                    if self._pos < len(self._buf):
                        raise CorruptLayerError(f"{self._label}: truncated tar (partial header block)")
                    return  # a stream ending on a block boundary without end marker is accepted, as by tar
                pos = 0
            buf = self._buf
            self._pos = pos + BLOCK
            name, mode, size, checksum, flag, link, magic, prefix = _HEADER.unpack_from(buf, pos)
            block = buf[pos : pos + BLOCK]
            if checksum[0] == 0 and block == _ZERO_BLOCK:
                self._drain()
                return
            self.entries += 1
            if self.entries > limits.max_entries:
                raise LayerLimitError(f"{self._label}: more than {limits.max_entries} tar entries")
            try:  # the common case, `0000644\0` or `012345\0 `, in one C call per field
                values = (
                    int(checksum.rstrip(b"\0 "), 8),
                    int(size.rstrip(b"\0 "), 8),
                    int(mode.rstrip(b"\0 "), 8),
                )
            except ValueError:
                values = parse_number(checksum, label), parse_number(size, label), parse_number(mode, label)
            # The checksum is the byte sum with its own field read as spaces. adler32's low half is 1 + that
            # sum mod 65521, computed in C: far cheaper than sum(block), as good at spotting garbage.
            if (values[0] - (zlib.adler32(block) & 0xFFFF) + 1 + sum(checksum) - 256) % 65521:
                raise CorruptLayerError(f"{label}: bad tar header checksum near offset {self._consumed}")
            self._body_left = values[1]
            if flag in _EXTENSIONS:
                self._read_extension(flag, pending)
                continue
            if prefix[0] and magic == b"ustar\x00":  # GNU tars use the prefix bytes for other fields
                path = cstr(prefix) + "/" + cstr(name)
            else:
                path = name.partition(b"\0")[0].decode("utf-8", "surrogateescape")
            kind = _KINDS.get(flag, OTHER)
            header = TarHeader(path, kind, values[2] & 0o7777, values[1], cstr(link) if link[0] else "", None)
            if pending or kind == OTHER or (kind == FILE and path[-1:] == "/"):
                self._refine(header, flag, pending, block)
                pending = {}
                yield header
                self._sparse = None  # a sparse body nobody read is skipped by its stored size
                continue
            yield header

    def _read_extension(self, flag: bytes, pending: dict[str, str]) -> None:
        size = self._body_left
        if size > self._limits.max_header_bytes:
            raise LayerLimitError(
                f"{self._label}: tar extension header ({flag.decode()}) of {size} bytes exceeds the limit "
                f"of {self._limits.max_header_bytes}"
            )
        data = self.read_body()
        if flag == b"L":
            pending["path"] = cstr(data)
        elif flag == b"K":
            pending["linkpath"] = cstr(data)
        elif flag == b"x":
            pending |= parse_pax_records(data, self._label)
            if b"GNU.sparse.offset=" in data:  # sparse 0.0 repeats its map records; the dict kept only the last
                pending["GNU.sparse.map"] = ordered_pax_map(data) or ""
        # `g` (global pax) records carry archive-wide metadata (comments, mtimes) that layers never need.

    def _refine(self, header: TarHeader, flag: bytes, pending: dict[str, str], block: bytes) -> None:
        """Apply long names, pax records and the oddities of old tars to a header."""
        header.name = pending.get("path", header.name)
        header.link = pending.get("linkpath", header.link)
        if "size" in pending:
            header.size = self._body_left = parse_pax_size(pending["size"], self._label)
        if flag == b"S" or is_sparse(pending):
            self._sparse_member(header, flag, pending, block)
        elif header.kind == OTHER:
            header.problem = f"unsupported tar entry type {flag!r}"
        elif header.kind == FILE and flag != b"7" and header.name.endswith("/"):
            header.kind = DIRECTORY  # pre-POSIX tars mark directories only by the trailing slash

    def _sparse_member(self, header: TarHeader, flag: bytes, pending: dict[str, str], block: bytes) -> None:
        """A GNU sparse member becomes a regular file of its real name and size, with its map kept for reading."""
        header.kind = FILE
        header.name = pending.get("GNU.sparse.name") or header.name
        try:
            sparse = read_sparse_map(pending, block if flag == b"S" else None, self, self._limits.max_header_bytes)
            sparse.check(self._body_left)
        except SparseMapError as error:
            header.problem = f"GNU sparse file with an unusable map: {error}"
            return
        header.size, self._sparse = sparse.real_size, sparse

    def data_block(self) -> bytes:
        """The next 512 bytes of the current member's data (a sparse 1.0 map)."""
        if self._body_left < BLOCK:
            raise SparseMapError("the map runs past the member's data")
        self._body_left -= BLOCK
        return self.next_block()

    def next_block(self) -> bytes:
        """The next 512 bytes of the stream (an old GNU sparse extension block, outside the member's size)."""
        if self._pos + BLOCK > len(self._buf) and not self._refill(BLOCK):
            raise CorruptLayerError(f"{self._label}: truncated tar (the stream ends inside an entry)")
        block = self._buf[self._pos : self._pos + BLOCK]
        self._pos += BLOCK
        return block

    def _drain(self) -> None:
        """Read to the end, so the source verifies the blob's digest. Container runtimes stop at the end
        marker and ignore what follows, so trailing data is noted (`trailing_data`) but not fatal."""
        rest = self._buf[self._pos :]
        while True:
            self.trailing_data = self.trailing_data or bool(rest.strip(b"\0"))
            rest = self._stream.read(_READ_SIZE)
            if not rest:
                break
            self._count(len(rest))
        self._buf, self._pos = b"", 0


def _pieces_hold(pieces: list[bytes], markers: tuple[bytes, ...]) -> bool:
    """Whether the concatenation of `pieces` contains a marker, without building it."""
    for marker in markers:
        overlap = len(marker) - 1
        if any(marker in piece for piece in pieces):
            return True
        if overlap and any(
            marker in before[-overlap:] + after[:overlap] for before, after in itertools.pairwise(pieces)
        ):
            return True
    return False
