"""GNU sparse members of layer tars: their real name and size, their map, and their content rebuilt.

GNU tar stores a sparse file as its data segments (the holes left out) and a map of (offset, size) pairs:
- old GNU format (`--format=gnu`): typeflag `S`; four map entries in the header (from byte 386), more in 512-byte
  extension blocks after it while the `isextended` byte says so, the real size at byte 483. The data size is
  the header's size field; the extension blocks are not counted in it.
- PAX 0.0 (`--sparse-version=0.0`): records `GNU.sparse.size` and `GNU.sparse.offset` / `GNU.sparse.numbytes`
  repeated once per segment, in order (a plain pax reader keeps only the last: `ordered_pax_map` reads them all).
- PAX 0.1: `GNU.sparse.size`, `GNU.sparse.map` (`offset,size,offset,size,...`) and `GNU.sparse.name`.
- PAX 1.0 (`--format=posix`, GNU tar's default): `GNU.sparse.major=1`, `GNU.sparse.minor=0`,
  `GNU.sparse.name` and `GNU.sparse.realsize`; the map opens the data: decimal numbers one per line (the count,
  then the pairs), padded to a whole 512-byte block that the size field counts.
In 0.1 and 1.0 the member's own name is a placeholder (`./GNUSparseFile.<pid>/<name>`): `GNU.sparse.name` is
the real path. A map that does not fit the data or the real size is a `SparseMapError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from regwarden.oci.compression import CorruptLayerError

BLOCK = 512
MAP_PREFIX = "GNU.sparse."
_OLD_GNU_ENTRIES = 4
_EXTENSION_ENTRIES = 21
_PAX_00_RECORD = re.compile(rb"\d+ GNU\.sparse\.(offset|numbytes)=(\d+)\n")


class SparseMapError(ValueError):
    """A sparse member whose map cannot be used; the member is recorded as unreadable under its real name."""


class BlockSource(Protocol):
    def data_block(self) -> bytes:
        """The next 512 bytes of the member's data (counted in its size)."""
        ...

    def next_block(self) -> bytes:
        """The next 512 bytes of the stream (an old GNU extension block, not counted in the member's size)."""
        ...


@dataclass(frozen=True)
class SparseMap:
    real_size: int
    segments: tuple[tuple[int, int], ...]
    """(offset in the real file, length), ascending; their data follows one another in the member's body."""

    @property
    def stored_size(self) -> int:
        return sum(length for _, length in self.segments)

    def check(self, stored: int) -> None:
        """Raise unless the segments are in order, inside the real size, and exactly fill `stored` data bytes."""
        end = 0
        for offset, length in self.segments:
            if offset < end or offset + length > self.real_size:
                raise SparseMapError(f"segment at {offset} (+{length}) overlaps or passes the real size")
            end = offset + length
        if self.stored_size != stored:
            raise SparseMapError(f"map describes {self.stored_size} data bytes, the member holds {stored}")

    def expand(self, data: bytes) -> bytes:
        """The real file: each segment's data at its offset, zeros in the holes."""
        content = bytearray(self.real_size)
        at = 0
        for offset, length in self.segments:
            content[offset : offset + length] = data[at : at + length]
            at += length
        return bytes(content)


@dataclass(frozen=True)
class PaxSparse:
    """What a member's pax records say about it; `segments` is None for 1.0, whose map opens the data."""

    name: str | None
    real_size: int
    segments: tuple[tuple[int, int], ...] | None


def is_sparse(records: Mapping[str, str]) -> bool:
    return any(key.startswith(MAP_PREFIX) for key in records)


def read_sparse_map(
    records: Mapping[str, str], old_gnu_block: bytes | None, source: BlockSource, limit: int
) -> SparseMap:
    """The map of a sparse member: from its old GNU header block (and the extension blocks after it) when
    given, else from its pax records (and, for 1.0, the start of its data). Maps are bounded by `limit` bytes."""
    if old_gnu_block is not None:
        return _old_gnu_map(old_gnu_block, source, limit)
    found = pax_sparse(records)
    segments = found.segments
    if segments is None:
        segments = map_from_data(source, limit)
    return SparseMap(found.real_size, segments)


def _old_gnu_map(block: bytes, source: BlockSource, limit: int) -> SparseMap:
    """Every extension block is read (their flag bytes say how many) before any entry is decoded, so a bad
    entry leaves the stream at the member's data, not inside its map."""
    entries, extended, real_size = old_gnu_header(block)
    blocks: list[bytes] = []
    while extended:
        if len(blocks) * BLOCK >= limit:
            raise CorruptLayerError(f"GNU sparse extension blocks over {limit} bytes")
        blocks.append(source.next_block())
        extended = blocks[-1][504] != 0
    for extension in blocks:
        entries += old_gnu_extension(extension)
    return SparseMap(real_size, tuple(entries))


def pax_sparse(records: Mapping[str, str]) -> PaxSparse:
    """The name, real size and (0.x) map of a member described by GNU.sparse.* pax records."""
    name = records.get("GNU.sparse.name")
    version = (records.get("GNU.sparse.major"), records.get("GNU.sparse.minor"))
    if version != (None, None):
        if version != ("1", "0"):
            raise SparseMapError(f"unsupported GNU sparse format {version[0]}.{version[1]}")
        return PaxSparse(name, _number(records.get("GNU.sparse.realsize"), "realsize"), None)
    real_size = _number(records.get("GNU.sparse.size"), "size")
    raw_map = records.get("GNU.sparse.map")
    if not raw_map:
        raise SparseMapError("no GNU.sparse.map, or 0.0 offset/numbytes records out of order")
    return PaxSparse(name, real_size, _pairs(raw_map.split(",")))


def ordered_pax_map(data: bytes) -> str | None:
    """The 0.0 map, from the raw pax header, as a 0.1 `GNU.sparse.map` value; None when it has none."""
    found = _PAX_00_RECORD.findall(data)
    if not found:
        return None
    if [kind for kind, _ in found] != [b"offset", b"numbytes"] * (len(found) // 2) or len(found) % 2:
        return ""  # no usable map: the member is recorded as unreadable
    return ",".join(value.decode() for _, value in found)


def map_from_data(source: BlockSource, limit: int) -> tuple[tuple[int, int], ...]:
    """The 1.0 map at the start of a member's data."""
    text = b""
    while len(text) < limit:
        text += source.data_block()
        lines = text.split(b"\n")[:-1]  # what follows the last newline may be cut by the block's end
        if lines:
            count = _number(lines[0].decode("ascii", "replace"), "map count")
            if len(lines) > 2 * count:
                return _pairs([line.decode("ascii", "replace") for line in lines[1 : 1 + 2 * count]])
    raise SparseMapError(f"map longer than {limit} bytes")


def old_gnu_entries(block: bytes, at: int, count: int) -> list[tuple[int, int]]:
    """The non-empty (offset, size) entries of an old GNU header or extension block, 24 bytes each."""
    entries = []
    for index in range(count):
        start = at + 24 * index
        offset, length = block[start : start + 12], block[start + 12 : start + 24]
        if offset.strip(b"\0"):
            entries.append((_octal(offset), _octal(length)))
    return entries


def old_gnu_header(block: bytes) -> tuple[list[tuple[int, int]], bool, int]:
    """(entries, more in extension blocks, real size) of an old GNU `S` header block."""
    return old_gnu_entries(block, 386, _OLD_GNU_ENTRIES), block[482] != 0, _octal(block[483:495])


def old_gnu_extension(block: bytes) -> list[tuple[int, int]]:
    """The entries of one old GNU sparse extension block (its byte 504 says whether another follows)."""
    return old_gnu_entries(block, 0, _EXTENSION_ENTRIES)


def _pairs(values: list[str]) -> tuple[tuple[int, int], ...]:
    if len(values) % 2:
        raise SparseMapError("map has an odd count of numbers")
    numbers = [_number(value, "map") for value in values]
    return tuple(zip(numbers[::2], numbers[1::2], strict=True))


def _number(text: str | None, label: str) -> int:
    if text is None or not text.isdigit() or len(text) > 20:
        raise SparseMapError(f"invalid {label} {str(text)[:30]!r}")
    return int(text)


def _octal(field: bytes) -> int:
    text = field.strip(b"\0 ")
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise SparseMapError(f"invalid number {text[:20]!r} in the sparse map") from None
