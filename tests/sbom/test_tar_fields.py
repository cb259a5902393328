"""Tar header numbers outside the octal fast path of the tar stream: GNU base-256 and garbage."""

from __future__ import annotations

import pytest

from regwarden.oci.compression import CorruptLayerError
from regwarden.sbom.tar_fields import parse_number


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (b"0000644\0", 0o644),
        (b"00000012345 ", 0o12345),
        (b"\0\0\0\0\0\0\0\0", 0),
        (b"        ", 0),
        # GNU base-256: the high bit of the first byte set, the rest a big-endian number (files over 8 GiB).
        (bytes([0x80]) + (9 << 30).to_bytes(11, "big"), 9 << 30),
    ],
)
def test_numbers(field: bytes, value: int) -> None:
    assert parse_number(field, "layer 0") == value


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (b"\xff" * 12, "layer 0: negative number in a tar header"),
        (b"0000x44\0", "layer 0: invalid number b'0000x44' in a tar header"),
        (b"0009\0", "layer 0: invalid number b'0009' in a tar header"),
    ],
)
def test_garbage_numbers_are_corrupt_layers(field: bytes, message: str) -> None:
    with pytest.raises(CorruptLayerError) as raised:
        parse_number(field, "layer 0")
    assert str(raised.value) == message
