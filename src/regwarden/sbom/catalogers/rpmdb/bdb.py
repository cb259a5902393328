"""rpm's Berkeley DB backend (`var/lib/rpm/Packages`, RHEL/CentOS <= 8, Amazon Linux 2): a BDB hash file.

Read page by page from the documented on-disk format, without a BDB library. Page 0 is the hash metadata
page (magic 0x061561 at byte 12, whose byte order is the file's, page size at byte 20, last page number at
byte 32). Every page starts with a 26-byte header (next page number at 16, item count at 20, bytes used at
22, page type at 25). Hash pages hold an array of 16-bit item offsets after the header, items growing down
from the page end, in key/data pairs; an item's first byte is its kind: inline bytes (H_KEYDATA) or a
reference to a chain of overflow pages (H_OFFPAGE: page number at 4, total length at 8). rpm's keys are
4-byte header numbers; key 0 holds a counter, not a header.
"""

from __future__ import annotations

import struct

from regwarden.sbom.catalogers.rpmdb.header import RpmDbError

_HASH_MAGIC = 0x061561
_PAGE_HEADER = 26
_P_HASH_UNSORTED, _P_OVERFLOW, _P_HASHMETA, _P_HASH = 2, 7, 8, 13
_H_KEYDATA, _H_OFFPAGE = 1, 3
_COUNTER_KEY = b"\0\0\0\0"


def read_bdb_blobs(content: bytes) -> tuple[list[bytes], list[str]]:
    """Header blobs of a BDB hash Packages file and the problems of records that could not be read; raises
    RpmDbError when the metadata page is unreadable."""
    pages = _Pages.open(content)
    blobs: list[bytes] = []
    problems: list[str] = []
    if pages.count < pages.declared:
        problems.append(f"truncated: {pages.count} of {pages.declared} pages present")
    for number in range(1, pages.count):
        if pages.type(number) not in (_P_HASH, _P_HASH_UNSORTED):
            continue
        try:
            items = pages.items(number)
        except RpmDbError as error:
            problems.append(f"page {number}: {error}")
            continue
        for key_item, value_item in zip(items[0::2], items[1::2], strict=False):
            try:
                if pages.resolve(key_item) != _COUNTER_KEY:
                    blobs.append(pages.resolve(value_item))
            except RpmDbError as error:
                problems.append(f"page {number}, record {key_item[1:].hex()}: {error}")
    return blobs, problems


class _Pages:
    """Bounds-checked access to the pages of one BDB file."""

    def __init__(self, content: bytes, order: str, size: int, declared: int) -> None:
        self._content = content
        self._order = order
        self.size = size
        self.declared = declared
        # A truncated file keeps what it has: pages past its end are simply not there to read.
        self.count = min(declared, len(content) // size)

    @classmethod
    def open(cls, content: bytes) -> _Pages:
        if len(content) < 512:
            raise RpmDbError(f"BDB file of {len(content)} bytes has no metadata page")
        order = next((o for o in "<>" if struct.unpack_from(o + "I", content, 12)[0] == _HASH_MAGIC), None)
        if order is None:
            raise RpmDbError("not a Berkeley DB hash file (bad magic)")
        size, encryption, kind = struct.unpack_from(order + "I", content, 20)[0], content[24], content[25]
        if kind != _P_HASHMETA or size < 512 or size > 65536 or size & (size - 1):
            raise RpmDbError(f"BDB metadata page has type {kind} and page size {size}")
        if encryption:
            raise RpmDbError("encrypted Berkeley DB files are not supported")
        last = struct.unpack_from(order + "I", content, 32)[0]
        return cls(content, order, size, last + 1)

    def type(self, number: int) -> int:
        return self._content[number * self.size + 25]

    def items(self, number: int) -> list[bytes]:
        """The raw items of a hash page (kind byte included), in index order."""
        start = number * self.size
        entries = struct.unpack_from(self._order + "H", self._content, start + 20)[0]
        if _PAGE_HEADER + 2 * entries > self.size:
            raise RpmDbError(f"{entries} items do not fit in a {self.size}-byte page")
        offsets = struct.unpack_from(f"{self._order}{entries}H", self._content, start + _PAGE_HEADER)
        items, end = [], self.size
        for offset in offsets:
            if not _PAGE_HEADER + 2 * entries <= offset < end:
                raise RpmDbError(f"item offset {offset} is outside the page")
            items.append(self._content[start + offset : start + end])
            end = offset
        return items

    def resolve(self, item: bytes) -> bytes:
        """The bytes an item stands for: inline data, or the concatenated overflow chain."""
        if item[:1] == bytes([_H_KEYDATA]):
            return item[1:]
        if item[:1] != bytes([_H_OFFPAGE]) or len(item) < 12:
            raise RpmDbError(f"unsupported item kind {item[:1].hex()} (rpm stores no duplicates)")
        page, length = struct.unpack_from(self._order + "II", item, 4)
        return self._overflow(page, length)

    def _overflow(self, page: int, length: int) -> bytes:
        chunks: list[bytes] = []
        seen: set[int] = set()
        total = 0
        while page:
            if page in seen or not 0 < page < self.count or self.type(page) != _P_OVERFLOW:
                raise RpmDbError(f"overflow chain reaches page {page}, which is not an overflow page")
            seen.add(page)
            start = page * self.size
            used = struct.unpack_from(self._order + "H", self._content, start + 22)[0]
            chunks.append(self._content[start + _PAGE_HEADER : start + min(_PAGE_HEADER + used, self.size)])
            total += len(chunks[-1])
            page = struct.unpack_from(self._order + "I", self._content, start + 16)[0]
        if total != length:
            raise RpmDbError(f"overflow chain holds {total} bytes, its record says {length}")
        return b"".join(chunks)
