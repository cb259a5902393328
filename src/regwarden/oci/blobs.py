"""Content digests: compute them, check them on bytes, and check them on a stream while it is being read.

Digests follow the OCI grammar `algorithm:encoded`; sha256 and sha512 are the registered algorithms and the
only ones accepted, so a hostile manifest cannot downgrade verification to something weaker or unknown.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import BinaryIO, Protocol

from regwarden.model.errors import BadInputError, IntegrityError

_HEX_LENGTH = {"sha256": 64, "sha512": 128}
_DIGEST_GRAMMAR = re.compile(r"([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)")
_CHUNK = 1 << 20


class DigestMismatchError(IntegrityError):
    """Content did not hash to the digest (or have the size) its descriptor promised."""


class ReadableBytes(Protocol):
    """What VerifyingReader needs from its source: any binary file, an HTTP body stream, a tar member."""

    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


def parse_digest(digest: str) -> tuple[str, str]:
    """Split a digest into (algorithm, lowercase hex), checking it is a well-formed sha256/sha512 digest."""
    match = _DIGEST_GRAMMAR.fullmatch(digest) if isinstance(digest, str) else None
    if match is None:
        raise BadInputError(f"malformed digest {digest!r}: expected algorithm:hex, e.g. sha256:<64 hex digits>")
    algorithm, encoded = match.groups()
    expected_length = _HEX_LENGTH.get(algorithm)
    if expected_length is None:
        raise BadInputError(f"unsupported digest algorithm {algorithm!r} in {digest!r} (supported: sha256, sha512)")
    # The spec allows only lowercase hex for registered algorithms; uppercase would alias another blob name.
    if len(encoded) != expected_length or re.fullmatch(r"[a-f0-9]+", encoded) is None:
        raise BadInputError(f"malformed {algorithm} digest {digest!r}: expected {expected_length} lowercase hex digits")
    return algorithm, encoded


def compute_digest(data: bytes, algorithm: str = "sha256") -> str:
    """The digest string of `data`, e.g. `sha256:e3b0c442...`."""
    if algorithm not in _HEX_LENGTH:
        raise BadInputError(f"unsupported digest algorithm {algorithm!r} (supported: sha256, sha512)")
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def verify_bytes(data: bytes, digest: str, size: int | None, what: str) -> None:
    """Raise DigestMismatchError unless `data` has `size` bytes (when given) and hashes to `digest`."""
    algorithm, expected_hex = parse_digest(digest)
    if size is not None and len(data) != size:
        raise DigestMismatchError(f"{what}: expected {size} bytes, got {len(data)} (digest {digest})")
    actual = f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"
    if actual != f"{algorithm}:{expected_hex}":
        raise DigestMismatchError(f"{what}: digest mismatch, expected {digest}, got {actual}")


class VerifyingReader(io.BufferedIOBase, BinaryIO):
    """A read-only binary stream over `source` that hashes what passes through it.

    When the end is reached it raises DigestMismatchError if the content did not hash to `digest` or had a
    size other than `size`. It never reads more than one byte past `size`, so an endless or oversized source
    fails fast instead of filling memory or disk. Closing it closes `source`.
    """

    def __init__(self, source: ReadableBytes, digest: str, size: int | None, what: str) -> None:
        super().__init__()
        algorithm, expected_hex = parse_digest(digest)
        self._source = source
        self._digest = digest
        self._expected = f"{algorithm}:{expected_hex}"
        self._size = size
        self._what = what
        self._hash = hashlib.new(algorithm)
        self._count = 0
        self._finished = False
        self._failure: DigestMismatchError | None = None

    @property
    def bytes_read(self) -> int:
        return self._count

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed VerifyingReader")
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        if self._failure is not None:
            raise self._failure  # a retry after a mismatch must not look like a clean end of stream
        if self._finished or size == 0:
            return b""
        limit = size if self._size is None else min(size, self._size - self._count)
        if limit == 0:
            self._finish()
            return b""
        chunk = self._source.read(limit)
        self._hash.update(chunk)
        self._count += len(chunk)
        # Finish eagerly at `size` so a consumer reading exactly the promised bytes still gets verification.
        if not chunk or self._count == self._size:
            self._finish()
        return chunk

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        chunk = self.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()

    def _finish(self) -> None:
        self._finished = True
        self._failure = self._check_end()
        if self._failure is not None:
            raise self._failure

    def _check_end(self) -> DigestMismatchError | None:
        """Check at the end of the content; a source that still has bytes after `size` is oversized."""
        if self._size is not None and self._count < self._size:
            return DigestMismatchError(
                f"{self._what}: truncated, expected {self._size} bytes, got {self._count} (digest {self._digest})"
            )
        if self._size is not None and self._source.read(1):
            return DigestMismatchError(
                f"{self._what}: more than the expected {self._size} bytes (digest {self._digest})"
            )
        actual = f"{self._hash.name}:{self._hash.hexdigest()}"
        if actual != self._expected:
            return DigestMismatchError(f"{self._what}: digest mismatch, expected {self._digest}, got {actual}")
        return None
