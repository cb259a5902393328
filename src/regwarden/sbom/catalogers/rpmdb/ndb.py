"""rpm's NDB backend (`Packages.db`, SUSE and openSUSE since rpm 4.16).

Layout (rpm lib/backend/ndb/rpmpkg.c), little-endian: a 32-byte header ("RpmP", version 0, generation,
number of 4096-byte slot pages, next package index), then 16-byte slots filling the slot pages ("Slot",
package index, offset and length in 16-byte blocks; offset 0 is a free slot), then the blobs: a 16-byte
head ("BlbS", package index, timestamp, length), the header blob, zero padding, and a 12-byte tail (adler32
of everything before it, length, "BlbE").
"""

from __future__ import annotations

import struct
import zlib

from regwarden.sbom.catalogers.rpmdb.header import RpmDbError

_PAGE, _BLOCK, _SLOT = 4096, 16, 16
_HEAD = struct.Struct("<4sIII")
_TAIL = struct.Struct("<II4s")


def read_ndb_blobs(content: bytes) -> tuple[list[bytes], list[str]]:
    """Header blobs of an NDB Packages.db and the problems of blobs that failed their checks; raises
    RpmDbError when the slot table itself is unreadable."""
    if len(content) < 32:
        raise RpmDbError(f"NDB file of {len(content)} bytes has no header")
    magic, version, _, slot_pages, _ = struct.unpack_from("<4sIIII", content)
    if magic != b"RpmP" or version != 0:
        raise RpmDbError(f"not an NDB package database (magic {magic!r}, version {version})")
    if slot_pages == 0 or slot_pages * _PAGE > len(content):
        raise RpmDbError(f"NDB header names {slot_pages} slot pages, the file has {len(content) // _PAGE}")
    blobs: list[bytes] = []
    problems: list[str] = []
    for position in range(32, slot_pages * _PAGE, _SLOT):
        slot_magic, index, block_offset, block_count = _HEAD.unpack_from(content, position)
        if slot_magic != b"Slot":
            raise RpmDbError(f"NDB slot at byte {position} has bad magic {slot_magic!r}")
        if block_offset == 0:
            continue
        try:
            blobs.append(_blob(content, index, block_offset, block_count, slot_pages))
        except RpmDbError as error:
            problems.append(f"package {index}: {error}")
    return blobs, problems


def _blob(content: bytes, index: int, block_offset: int, block_count: int, slot_pages: int) -> bytes:
    start, end = block_offset * _BLOCK, (block_offset + block_count) * _BLOCK
    if block_offset < slot_pages * _PAGE // _BLOCK or end > len(content) or end - start < _HEAD.size + _TAIL.size:
        raise RpmDbError(f"blob at block {block_offset} (+{block_count}) lies outside the data")
    magic, blob_index, _, length = _HEAD.unpack_from(content, start)
    if magic != b"BlbS" or blob_index != index:
        raise RpmDbError(f"blob at block {block_offset} has bad magic {magic!r} or index {blob_index}")
    if (_HEAD.size + length + _TAIL.size + _BLOCK - 1) // _BLOCK != block_count:
        raise RpmDbError(f"blob length {length} does not fill its {block_count} blocks")
    adler, tail_length, tail_magic = _TAIL.unpack_from(content, end - _TAIL.size)
    if tail_magic != b"BlbE" or tail_length != length:
        raise RpmDbError(f"blob at block {block_offset} has a bad tail")
    if zlib.adler32(content[start : end - _TAIL.size]) != adler:
        raise RpmDbError(f"blob at block {block_offset} fails its adler32 check")
    return content[start + _HEAD.size : start + _HEAD.size + length]
