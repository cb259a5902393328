"""An installed rpm header blob, as every rpm database backend stores it.

The blob is the header without its 8-byte magic: two big-endian uint32s (index entry count, data size), the
index entries (16 bytes each: tag, type, offset into the data, count), then the data. Only the tags a
package needs are read; region tags and everything else are skipped, so a header written by any rpm 4.x
parses.
"""

from __future__ import annotations

import stat
import struct
from dataclasses import dataclass

from regwarden.model.errors import BadInputError

_INT16, _INT32, _STRING, _STRING_ARRAY, _I18NSTRING = 3, 4, 6, 8, 9
_TAG_NAME, _TAG_VERSION, _TAG_RELEASE, _TAG_EPOCH = 1000, 1001, 1002, 1003
_TAG_VENDOR, _TAG_LICENSE, _TAG_ARCH, _TAG_SOURCERPM = 1011, 1014, 1022, 1044
_TAG_OLDFILENAMES, _TAG_FILEMODES = 1027, 1030
_TAG_DIRINDEXES, _TAG_BASENAMES, _TAG_DIRNAMES = 1116, 1117, 1118
_MAX_ENTRIES = 1 << 16
"""rpm itself refuses headers with more index entries than this (hdrchkTags)."""
_ENTRY = struct.Struct(">iIiI")


class RpmDbError(BadInputError):
    """An rpm database file is not one, or is too damaged to list its headers."""


class RpmHeaderError(RpmDbError):
    """A header blob is truncated or its index points outside its data."""


@dataclass(frozen=True)
class RpmHeader:
    """What a package needs from an installed rpm header."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str | None
    source_rpm: str | None
    license: str | None
    vendor: str | None
    files: tuple[str, ...]
    """Regular files and symlinks the package installed (no leading slash); directories are left out."""


@dataclass(frozen=True)
class _Entry:
    type: int
    offset: int
    count: int


def parse_header(blob: bytes) -> RpmHeader:
    """Parse one header blob; raises RpmHeaderError when it is not one."""
    if len(blob) < 8:
        raise RpmHeaderError(f"rpm header of {len(blob)} bytes is shorter than its 8-byte preamble")
    count, data_size = struct.unpack_from(">II", blob)
    data_start = 8 + 16 * count
    if count > _MAX_ENTRIES or data_start + data_size > len(blob):
        raise RpmHeaderError(f"rpm header claims {count} entries and {data_size} data bytes, has {len(blob)}")
    reader = _Reader(blob[data_start : data_start + data_size], _index(blob, count))
    name, version, release = (
        reader.string(_TAG_NAME),
        reader.string(_TAG_VERSION),
        reader.string(_TAG_RELEASE),
    )
    if not name or version is None or release is None:
        raise RpmHeaderError("rpm header has no NAME, VERSION or RELEASE")
    epochs = reader.integers(_TAG_EPOCH, _INT32)
    return RpmHeader(
        name=name,
        version=version,
        release=release,
        epoch=epochs[0] if epochs else None,
        arch=reader.string(_TAG_ARCH),
        source_rpm=reader.string(_TAG_SOURCERPM),
        license=reader.string(_TAG_LICENSE),
        vendor=reader.string(_TAG_VENDOR),
        files=_files(reader),
    )


def _index(blob: bytes, count: int) -> dict[int, _Entry]:
    entries: dict[int, _Entry] = {}
    for number in range(count):
        tag, kind, offset, items = _ENTRY.unpack_from(blob, 8 + 16 * number)
        entries.setdefault(tag, _Entry(kind, offset, items))
    return entries


class _Reader:
    """Typed access to the data store; every read is bounds-checked against the data, never trusted."""

    def __init__(self, data: bytes, entries: dict[int, _Entry]) -> None:
        self._data = data
        self._entries = entries

    def string(self, tag: int) -> str | None:
        values = self.strings(tag)
        return values[0] if values else None

    def strings(self, tag: int) -> list[str]:
        entry = self._entries.get(tag)
        if entry is None:
            return []
        if entry.type not in (_STRING, _STRING_ARRAY, _I18NSTRING):
            raise RpmHeaderError(f"rpm tag {tag} has type {entry.type}, expected a string")
        values, position = [], self._checked(entry, 1)
        for _ in range(entry.count):
            end = self._data.find(b"\0", position)
            if end < 0:
                raise RpmHeaderError(f"rpm tag {tag} runs past the end of the header")
            values.append(self._data[position:end].decode("utf-8", errors="replace"))
            position = end + 1
        return values

    def integers(self, tag: int, kind: int) -> list[int]:
        entry = self._entries.get(tag)
        if entry is None:
            return []
        if entry.type != kind:
            raise RpmHeaderError(f"rpm tag {tag} has type {entry.type}, expected {kind}")
        fmt = ">" + ("h" if kind == _INT16 else "i") * entry.count
        position = self._checked(entry, struct.calcsize(fmt))
        return list(struct.unpack_from(fmt, self._data, position))

    def _checked(self, entry: _Entry, size: int) -> int:
        if entry.offset < 0 or entry.offset + size > len(self._data) or entry.count < 0:
            raise RpmHeaderError(f"rpm header entry at offset {entry.offset} lies outside its data")
        return entry.offset


def _files(reader: _Reader) -> tuple[str, ...]:
    """DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (rpm >= 4.0), or OLDFILENAMES from older packages."""
    basenames = reader.strings(_TAG_BASENAMES)
    if basenames:
        dirnames = reader.strings(_TAG_DIRNAMES)
        indexes = reader.integers(_TAG_DIRINDEXES, _INT32)
        if len(indexes) != len(basenames) or any(not 0 <= i < len(dirnames) for i in indexes):
            raise RpmHeaderError("rpm header file lists DIRINDEXES and BASENAMES do not match")
        paths = [dirnames[i] + base for i, base in zip(indexes, basenames, strict=True)]
    else:
        paths = reader.strings(_TAG_OLDFILENAMES)
    modes = reader.integers(_TAG_FILEMODES, _INT16)
    is_dir = [stat.S_ISDIR(mode & 0xFFFF) for mode in modes] if len(modes) == len(paths) else [False] * len(paths)
    return tuple(path.lstrip("/") for path, directory in zip(paths, is_dir, strict=True) if not directory)
