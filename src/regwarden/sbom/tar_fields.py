"""Decoding the fields of tar headers: NUL-terminated strings, octal or base-256 numbers, pax records."""

from __future__ import annotations

from regwarden.oci.compression import CorruptLayerError


def cstr(field: bytes) -> str:
    """A NUL-terminated name field; undecodable bytes survive as surrogates rather than failing the layer."""
    return field.partition(b"\0")[0].decode("utf-8", "surrogateescape")


def parse_number(field: bytes, label: str) -> int:
    """An octal ASCII number, or GNU base-256 when the high bit of the first byte is set."""
    if field[0] & 0x80:
        if field[0] == 0xFF:
            raise CorruptLayerError(f"{label}: negative number in a tar header")
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    text = field.split(b"\0", 1)[0]
    try:
        return int(text, 8) if text.strip() else 0
    except ValueError:
        raise CorruptLayerError(f"{label}: invalid number {text[:20]!r} in a tar header") from None


def parse_pax_size(value: str, label: str) -> int:
    if not value.isdigit() or len(value) > 20:
        raise CorruptLayerError(f"{label}: invalid pax size {value[:30]!r}")
    return int(value)


def parse_pax_records(data: bytes, label: str) -> dict[str, str]:
    """Records are `LEN KEY=VALUE\\n`, LEN counting the whole record."""
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos, pos + 21)
        length = int(data[pos:space]) if space > pos and data[pos:space].isdigit() else 0
        end = pos + length
        if length <= space - pos or end > len(data) or data[end - 1 : end] != b"\n":
            raise CorruptLayerError(f"{label}: malformed pax extended header")
        key, sep, value = data[space + 1 : end - 1].partition(b"=")
        if not sep:
            raise CorruptLayerError(f"{label}: malformed pax record {key[:40]!r}")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos = end
    return records
