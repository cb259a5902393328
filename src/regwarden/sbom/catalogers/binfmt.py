"""A small, read-only view of ELF, PE and Mach-O executables: their sections and virtual addresses.

Only what the binary catalogers (Go build info, Rust cargo-auditable data) need: section names, file
ranges and virtual addresses, pointer size and byte order. Parsing only touches the headers, so rejecting
a non-executable or finding a section costs microseconds even for a 100 MB file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from regwarden.model.errors import BadInputError
from regwarden.sbom.catalogers.interface import FileRequest

_ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = {
    b"\xce\xfa\xed\xfe": ("<", 4),
    b"\xcf\xfa\xed\xfe": ("<", 8),
    b"\xfe\xed\xfa\xce": (">", 4),
    b"\xfe\xed\xfa\xcf": (">", 8),
}
_SHT_NOBITS = 8
_SHF_WRITE = 0x1
_PT_LOAD = 1
_PF_W = 0x2
_PE_SCN_MEM_WRITE = 0x80000000
_LC_SEGMENT = 0x1
_LC_SEGMENT_64 = 0x19
_MACHO_VM_PROT_WRITE = 0x2


@dataclass(frozen=True)
class MarkedExecutables(FileRequest):
    """A request for executables of which only those containing one of `markers` can yield anything.

    A binary cataloger finds nothing (no package, no Unknown) in an executable whose bytes lack all of its
    markers, so the core reads such a file once, looks for the markers, and keeps an empty content instead of
    the whole body when none is there and no other request wants the file. That is what keeps every ELF of an
    image from sitting in memory until cataloging.
    """

    markers: tuple[bytes, ...] = ()


class BinaryFormatError(BadInputError):
    """The file starts like an ELF/PE/Mach-O executable but its headers are truncated or inconsistent."""


@dataclass(frozen=True)
class Section:
    """A range of the file that is mapped at `address` when the program runs (a section or a segment)."""

    name: str
    address: int
    offset: int
    size: int
    writable: bool


@dataclass(frozen=True)
class Binary:
    format: str
    """`elf`, `pe` or `macho`."""
    data: bytes
    byte_order: str
    """`<` (little endian) or `>` (big endian), as the struct module spells it."""
    pointer_size: int
    sections: tuple[Section, ...]
    segments: tuple[Section, ...]
    """ELF PT_LOAD program headers and Mach-O segments; empty for PE (its sections are the mapping)."""

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def content(self, section: Section) -> bytes:
        return self.data[section.offset : section.offset + section.size]

    def read_at(self, address: int, size: int) -> bytes | None:
        """The `size` bytes the program sees at virtual `address`, or None if no file range maps there."""
        for mapped in self.segments or self.sections:
            if mapped.address <= address and address + size <= mapped.address + mapped.size:
                start = mapped.offset + address - mapped.address
                return self.data[start : start + size]
        return None


def parse_binary(data: bytes) -> Binary | None:
    """The executable view of `data`, or None when it is not ELF, PE or Mach-O (checked by magic bytes only).

    Raises BinaryFormatError when the magic matches but the headers cannot be read.
    """
    try:
        if data.startswith(_ELF_MAGIC):
            return _parse_elf(data)
        if data.startswith(b"MZ"):
            return _parse_pe(data)
        if data[:4] in _MACHO_MAGICS:
            return _parse_macho(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise BinaryFormatError(f"truncated or corrupt executable headers: {exc}") from exc
    return None


def _parse_elf(data: bytes) -> Binary:
    is_64 = {1: False, 2: True}.get(data[4])
    order = {1: "<", 2: ">"}.get(data[5])
    if is_64 is None or order is None:
        raise BinaryFormatError("unknown ELF class or byte order")
    if is_64:
        phoff, shoff = struct.unpack_from(order + "QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(order + "5H", data, 0x36)
    else:
        phoff, shoff = struct.unpack_from(order + "II", data, 0x1C)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(order + "5H", data, 0x2A)
    headers = [_elf_section_header(data, order, is_64, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx] if shnum and shstrndx < shnum else None
    sections = tuple(
        Section(_elf_name(data, names, name_off), addr, off, size, bool(flags & _SHF_WRITE))
        for name_off, sh_type, flags, addr, off, size in headers
        if sh_type != _SHT_NOBITS
    )
    segments = tuple(
        segment
        for i in range(phnum)
        if (segment := _elf_load_segment(data, order, is_64, phoff + i * phentsize)) is not None
    )
    return Binary("elf", data, order, 8 if is_64 else 4, sections, segments)


def _elf_section_header(data: bytes, order: str, is_64: bool, at: int) -> tuple[int, int, int, int, int, int]:
    fmt = order + ("IIQQQQ" if is_64 else "IIIIII")
    name, sh_type, flags, addr, off, size = struct.unpack_from(fmt, data, at)
    if sh_type != _SHT_NOBITS and off + size > len(data):
        raise BinaryFormatError(f"ELF section at header offset {at} extends past the end of the file")
    return name, sh_type, flags, addr, off, size


def _elf_name(data: bytes, names: tuple[int, int, int, int, int, int] | None, name_off: int) -> str:
    if names is None:
        return ""
    start = names[4] + name_off
    end = data.find(b"\0", start, names[4] + names[5])
    return data[start:end].decode("latin-1") if end >= 0 else ""


def _elf_load_segment(data: bytes, order: str, is_64: bool, at: int) -> Section | None:
    if is_64:
        p_type, flags, off, vaddr, _paddr, filesz = struct.unpack_from(order + "IIQQQQ", data, at)
    else:
        p_type, off, vaddr, _paddr, filesz, _memsz, flags = struct.unpack_from(order + "7I", data, at)
    if p_type != _PT_LOAD:
        return None
    return Section("", vaddr, off, min(filesz, max(len(data) - off, 0)), bool(flags & _PF_W))


def _parse_pe(data: bytes) -> Binary | None:
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        return None  # a DOS program or just a file starting with "MZ"
    coff = pe_offset + 4
    nsections, optional_size = struct.unpack_from("<H12xH", data, coff + 2)
    optional = coff + 20
    (magic,) = struct.unpack_from("<H", data, optional)
    if magic == 0x20B:
        (image_base,), pointer_size = struct.unpack_from("<Q", data, optional + 24), 8
    elif magic == 0x10B:
        (image_base,), pointer_size = struct.unpack_from("<I", data, optional + 28), 4
    else:
        raise BinaryFormatError(f"unknown PE optional header magic {magic:#x}")
    table = optional + optional_size
    sections = []
    for i in range(nsections):
        raw_name, vsize, rva, raw_size, raw_off, flags = struct.unpack_from("<8sIIII12xI", data, table + 40 * i)
        size = min(vsize or raw_size, raw_size)
        name = raw_name.rstrip(b"\0").decode("latin-1")
        sections.append(Section(name, image_base + rva, raw_off, size, bool(flags & _PE_SCN_MEM_WRITE)))
    return Binary("pe", data, "<", pointer_size, tuple(sections), ())


def _parse_macho(data: bytes) -> Binary:
    order, pointer_size = _MACHO_MAGICS[data[:4]]
    (ncmds,) = struct.unpack_from(order + "I", data, 16)
    at = 32 if pointer_size == 8 else 28
    sections: list[Section] = []
    segments: list[Section] = []
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from(order + "II", data, at)
        if cmdsize < 8:
            raise BinaryFormatError("Mach-O load command with a size below 8")
        if cmd in (_LC_SEGMENT, _LC_SEGMENT_64):
            _macho_segment(data, order, cmd == _LC_SEGMENT_64, at, sections, segments)
        at += cmdsize
    return Binary("macho", data, order, pointer_size, tuple(sections), tuple(segments))


def _macho_segment(
    data: bytes, order: str, is_64: bool, at: int, sections: list[Section], segments: list[Section]
) -> None:
    if is_64:
        vmaddr, _vmsize, fileoff, filesize, _maxprot, initprot, nsects = struct.unpack_from(
            order + "QQQQiiI", data, at + 24
        )
        first, stride, sect_fmt = at + 72, 80, order + "16s16sQQI"
    else:
        vmaddr, _vmsize, fileoff, filesize, _maxprot, initprot, nsects = struct.unpack_from(
            order + "IIIIiiI", data, at + 24
        )
        first, stride, sect_fmt = at + 56, 68, order + "16s16sIII"
    writable = bool(initprot & _MACHO_VM_PROT_WRITE)
    segments.append(Section("", vmaddr, fileoff, filesize, writable))
    for i in range(nsects):
        raw_name, _segname, addr, size, offset = struct.unpack_from(sect_fmt, data, first + i * stride)
        if offset:  # zero-fill sections (__bss) have no file content
            name = raw_name.rstrip(b"\0").decode("latin-1")
            sections.append(Section(name, addr, offset, size, writable))
