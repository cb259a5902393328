"""Digest computation and verification, on bytes and on streams (regwarden.oci.blobs)."""

from __future__ import annotations

import hashlib
import io
import shutil

import pytest

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.oci.blobs import (
    DigestMismatchError,
    VerifyingReader,
    compute_digest,
    parse_digest,
    verify_bytes,
)

EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CONTENT = b"layer bytes " * 500
CONTENT_DIGEST = "sha256:" + hashlib.sha256(CONTENT).hexdigest()


class CountingSource(io.BytesIO):
    """A source that remembers how many bytes were taken from it, to prove the reader stops at `size`."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_compute_digest_known_vectors() -> None:
    assert compute_digest(b"") == EMPTY_SHA256
    assert compute_digest(b"abc", "sha512") == (
        "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    )


def test_compute_digest_rejects_unknown_algorithm() -> None:
    with pytest.raises(BadInputError, match="md5"):
        compute_digest(b"", "md5")


@pytest.mark.parametrize(
    "digest",
    [
        "sha256",
        "sha256:",
        "sha256:" + "A" * 64,  # uppercase hex aliases another name
        "sha256:" + "a" * 63,
        "sha512:" + "a" * 64,
        "sha256:" + "a" * 64 + "\n",
        ":" + "a" * 64,
    ],
)
def test_parse_digest_rejects_malformed(digest: str) -> None:
    with pytest.raises(BadInputError):
        parse_digest(digest)


def test_parse_digest_rejects_unsupported_algorithm_by_name() -> None:
    with pytest.raises(BadInputError, match="unsupported digest algorithm 'md5'"):
        parse_digest("md5:" + "a" * 32)


def test_parse_digest_splits() -> None:
    assert parse_digest(EMPTY_SHA256) == ("sha256", EMPTY_SHA256[7:])


def test_verify_bytes_accepts_matching_content() -> None:
    verify_bytes(b"", EMPTY_SHA256, 0, "empty blob")
    verify_bytes(CONTENT, CONTENT_DIGEST, None, "blob")


def test_verify_bytes_names_what_expected_and_actual() -> None:
    with pytest.raises(DigestMismatchError) as caught:
        verify_bytes(b"x", EMPTY_SHA256, None, "config of app:1.0")
    message = str(caught.value)
    assert "config of app:1.0" in message
    assert EMPTY_SHA256 in message
    assert compute_digest(b"x") in message
    assert isinstance(caught.value, IntegrityError)


def test_verify_bytes_checks_size() -> None:
    with pytest.raises(DigestMismatchError, match="expected 1 bytes, got 0"):
        verify_bytes(b"", EMPTY_SHA256, 1, "blob")


def test_reader_returns_content_and_verifies() -> None:
    reader = VerifyingReader(io.BytesIO(CONTENT), CONTENT_DIGEST, len(CONTENT), "layer 0")
    assert reader.read() == CONTENT
    assert reader.read() == b""
    assert reader.bytes_read == len(CONTENT)


def test_reader_in_small_chunks_and_copyfileobj() -> None:
    reader = VerifyingReader(io.BytesIO(CONTENT), CONTENT_DIGEST, len(CONTENT), "layer 0")
    assert reader.read(7) == CONTENT[:7]
    target = io.BytesIO()
    shutil.copyfileobj(reader, target, 100)
    assert CONTENT[:7] + target.getvalue() == CONTENT


def test_reader_without_size_verifies_digest_only() -> None:
    reader = VerifyingReader(io.BytesIO(CONTENT), CONTENT_DIGEST, None, "blob")
    chunks = iter(lambda: reader.read(1000), b"")
    assert b"".join(chunks) == CONTENT


def test_reader_works_under_buffered_reader() -> None:
    raw = VerifyingReader(io.BytesIO(CONTENT), CONTENT_DIGEST, len(CONTENT), "layer 0")
    assert io.BufferedReader(raw).read() == CONTENT


def test_reader_detects_one_flipped_byte_at_eof() -> None:
    tampered = bytearray(CONTENT)
    tampered[100] ^= 0x01
    reader = VerifyingReader(io.BytesIO(bytes(tampered)), CONTENT_DIGEST, len(CONTENT), "layer 3")
    assert reader.read(50) == CONTENT[:50]  # nothing is known before the end
    with pytest.raises(DigestMismatchError, match=r"layer 3: digest mismatch, expected sha256:"):
        reader.read()
    with pytest.raises(DigestMismatchError):  # reading again must not look like a clean end
        reader.read(10)


def test_reader_detects_truncation() -> None:
    reader = VerifyingReader(io.BytesIO(CONTENT[:-1]), CONTENT_DIGEST, len(CONTENT), "layer 0")
    with pytest.raises(DigestMismatchError, match="truncated"):
        reader.read()


def test_reader_stops_one_byte_past_size_on_oversized_source() -> None:
    source = CountingSource(CONTENT + b"x" * 10_000)
    reader = VerifyingReader(source, CONTENT_DIGEST, len(CONTENT), "layer 0")
    with pytest.raises(DigestMismatchError, match="more than the expected"):
        reader.read()
    assert source.taken == len(CONTENT) + 1


def test_reader_size_mismatch_with_correct_digest_is_still_an_error() -> None:
    reader = VerifyingReader(io.BytesIO(CONTENT), CONTENT_DIGEST, len(CONTENT) - 5, "layer 0")
    with pytest.raises(DigestMismatchError):
        reader.read()


def test_reader_sha512() -> None:
    digest = "sha512:" + hashlib.sha512(CONTENT).hexdigest()
    assert VerifyingReader(io.BytesIO(CONTENT), digest, len(CONTENT), "blob").read() == CONTENT
    wrong = "sha512:" + hashlib.sha512(b"other").hexdigest()
    with pytest.raises(DigestMismatchError):
        VerifyingReader(io.BytesIO(CONTENT), wrong, len(CONTENT), "blob").read()


def test_reader_rejects_bad_digest_before_reading() -> None:
    source = CountingSource(CONTENT)
    with pytest.raises(BadInputError):
        VerifyingReader(source, "sha1:" + "a" * 40, None, "blob")
    assert source.taken == 0


def test_reader_closes_its_source() -> None:
    source = io.BytesIO(CONTENT)
    with VerifyingReader(source, CONTENT_DIGEST, len(CONTENT), "blob") as reader:
        assert reader.readable()
    assert source.closed
    with pytest.raises(ValueError):
        reader.read()
