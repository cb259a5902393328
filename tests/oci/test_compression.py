"""Layer blob decompression: gzip, zstd and plain tar streams; clear errors for corrupt or truncated data."""

from __future__ import annotations

import gzip
import importlib.util
import io
import os

import pytest
import zstandard

from regwarden.model.errors import IntegrityError
from regwarden.oci.compression import CorruptLayerError, gzip_backend, open_layer_stream, sniff_compression

# Compressible and incompressible parts, bigger than one internal read, so streaming crosses chunk boundaries.
DATA = b"layer tar bytes " * 200_000 + os.urandom(300_000)


class TrackedBlob(io.BytesIO):
    """A blob stream that remembers whether it was closed."""

    was_closed = False

    def close(self) -> None:
        self.was_closed = True
        super().close()


@pytest.fixture(params=[True, False], ids=["isal-if-installed", "zlib"])
def accelerated(request: pytest.FixtureRequest) -> bool:
    """Every test runs with both gzip backends."""
    return bool(request.param)


def _read_all(blob: bytes, accelerated: bool, step: int = 65_536) -> bytes:
    with open_layer_stream(io.BytesIO(blob), accelerated=accelerated) as stream:
        return b"".join(iter(lambda: stream.read(step), b""))


@pytest.mark.parametrize(
    ("blob", "kind"),
    [
        (gzip.compress(DATA), "gzip"),
        (zstandard.ZstdCompressor().compress(DATA), "zstd"),
        (DATA, "tar"),
    ],
)
def test_each_format_streams_back_the_exact_bytes(blob: bytes, kind: str, accelerated: bool) -> None:
    assert sniff_compression(blob[:4]) == kind
    assert _read_all(blob, accelerated) == DATA
    assert _read_all(blob, accelerated, step=1_000_003) == DATA


def test_concatenated_gzip_members_and_zstd_frames_are_one_stream(accelerated: bool) -> None:
    half = len(DATA) // 2
    gz = gzip.compress(DATA[:half]) + gzip.compress(DATA[half:])
    zst = zstandard.ZstdCompressor().compress(DATA[:half]) + zstandard.ZstdCompressor().compress(DATA[half:])
    assert _read_all(gz, accelerated) == DATA
    assert _read_all(zst, accelerated) == DATA


def test_zero_padding_after_the_compressed_stream_is_tolerated(accelerated: bool) -> None:
    assert _read_all(gzip.compress(DATA) + bytes(4096), accelerated) == DATA


def test_empty_blob_is_an_empty_stream() -> None:
    assert _read_all(b"", accelerated=True) == b""


def test_the_gzip_backend_is_isal_when_installed_and_zlib_on_request() -> None:
    expected = "isal.isal_zlib" if importlib.util.find_spec("isal") else "zlib"
    assert gzip_backend().__name__ == expected
    assert gzip_backend(accelerated=False).__name__ == "zlib"


def test_closing_the_stream_closes_the_blob() -> None:
    blob = TrackedBlob(gzip.compress(b"abc"))
    with open_layer_stream(blob) as stream:
        assert stream.read() == b"abc"
    assert blob.was_closed


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (gzip.compress(DATA)[:-100], "truncated gzip layer"),
        (gzip.compress(DATA)[:5000], "truncated gzip layer"),
        (zstandard.ZstdCompressor().compress(DATA)[:-100], "truncated zstd layer"),
        (b"\x1f\x8b" + b"not really gzip" * 10, "corrupt gzip layer data"),
        (b"\x28\xb5\x2f\xfd" + b"not really zstd" * 10, "corrupt zstd layer data"),
        (gzip.compress(DATA) + b"trailing garbage", "unexpected data after the end of the gzip stream"),
        (
            zstandard.ZstdCompressor().compress(DATA) + b"junk",
            "unexpected data after the end of the zstd stream",
        ),
    ],
)
def test_corrupt_or_truncated_data_raises_a_clear_integrity_error(blob: bytes, message: str, accelerated: bool) -> None:
    with pytest.raises(CorruptLayerError, match=message) as caught:
        _read_all(blob, accelerated)
    assert isinstance(caught.value, IntegrityError)


def test_a_flipped_bit_in_gzip_data_fails_the_crc_or_the_inflate(accelerated: bool) -> None:
    blob = bytearray(gzip.compress(DATA))
    blob[len(blob) // 2] ^= 0x40
    with pytest.raises(CorruptLayerError, match="gzip"):
        _read_all(bytes(blob), accelerated)


def test_a_zstd_bomb_is_produced_in_bounded_steps() -> None:
    """64 MiB of zeros compress to a few KiB; no single read may return more than what was asked for."""
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(64 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    stream = open_layer_stream(io.BytesIO(bomb))
    sizes = {len(stream.read(1 << 20)) for _ in range(8)}
    assert sizes == {1 << 20}
    stream.close()
