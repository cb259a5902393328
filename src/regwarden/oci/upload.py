"""Pushing to a registry, per the OCI distribution spec: blob existence, cross-repository mount, monolithic and
chunked uploads, and manifests.

- `blob_exists`: `HEAD /v2/<repo>/blobs/<digest>`.
- `mount_blob`: `POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<other repo>`. 201 means the registry linked
  the blob without any data sent; 202 means it will not (another registry, no access to the source, or mounting
  unsupported) and opened an upload session instead, which the caller goes on with.
- `upload_blob`: `POST /v2/<repo>/blobs/uploads/` opens a session; a blob no larger than one chunk is sent in a
  single `PUT <location>?digest=…` (monolithic), a larger one in `PATCH <location>` chunks with `Content-Range`,
  each answered with the next location, closed by an empty `PUT <location>?digest=…` (chunked).
- `put_manifest`: `PUT /v2/<repo>/manifests/<reference>` with the exact bytes and their media type.

Upload requests are sent once: a chunk the registry may have half-written cannot safely be sent again, so a
failure is an error and a rerun starts the blob afresh (blobs already present are skipped by `blob_exists`).
Each chunk is held in memory, never the whole blob. Upload locations must stay on the registry's own host:
its credentials are never sent elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import httpx

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.image import Descriptor
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import BlobNotFoundError, ManifestNotFoundError, RegistryClient
from regwarden.oci.reference import validate_digest, validate_repository, validate_tag_or_digest
from regwarden.oci.retry import NO_RETRY, raise_for_status

DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
"""Bytes per PATCH, and the largest blob sent in one PUT."""
_OCTETS = "application/octet-stream"


@dataclass(frozen=True)
class MountResult:
    mounted: bool
    upload_location: str | None = None
    """When not mounted: the upload session the registry opened instead (202), to upload into."""


def push_scope(repo: str) -> str:
    return f"repository:{repo}:pull,push"


def blob_exists(client: RegistryClient, repo: str, digest: str) -> bool:
    """True when `repo` already has the blob (uploading it again would only cost time)."""
    path = f"/v2/{validate_repository(repo)}/blobs/{validate_digest(digest)}"
    with client.send("HEAD", path, push_scope(repo)) as response:
        if response.status_code == 404:
            return False
        raise_for_status(response, f"blob {repo}@{digest}", BlobNotFoundError)
        return True


def mount_blob(client: RegistryClient, repo: str, digest: str, from_repo: str) -> MountResult:
    """Link blob `digest` of `from_repo` (same registry) into `repo` without sending its bytes."""
    params = {"mount": validate_digest(digest), "from": validate_repository(from_repo)}
    scope = f"{push_scope(repo)} repository:{from_repo}:pull"
    with client.send("POST", _uploads(repo), scope, params=params, retry=NO_RETRY) as response:
        raise_for_status(response, f"mount of {from_repo}@{digest} into {repo}", BlobNotFoundError)
        if response.status_code == 201:
            return MountResult(mounted=True)
        return MountResult(mounted=False, upload_location=_location(response, f"mount into {repo}"))


def upload_blob(
    client: RegistryClient,
    repo: str,
    descriptor: Descriptor,
    source: BinaryIO,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    location: str | None = None,
) -> str:
    """Upload `descriptor.size` bytes read from `source` as blob `descriptor.digest`; "monolithic" or "chunked".

    `location` continues a session the registry already opened (a declined mount). The registry checks the
    digest when the upload is closed; a mismatch, or a source shorter or longer than the size, is an
    IntegrityError and nothing is stored.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    what = f"upload of blob {descriptor.digest} to {repo}"
    location = location or start_upload(client, repo)
    if descriptor.size <= chunk_size:
        data = _read_exactly(source, descriptor.size, what)
        _expect_end(source, descriptor.size, what)
        _finish(client, repo, location, descriptor.digest, data, what)
        return "monolithic"
    sent = 0
    while sent < descriptor.size:
        chunk = _read_exactly(source, min(chunk_size, descriptor.size - sent), what)
        location = _patch(client, repo, location, chunk, sent, what)
        sent += len(chunk)
    _expect_end(source, descriptor.size, what)
    _finish(client, repo, location, descriptor.digest, None, what)
    return "chunked"


def start_upload(client: RegistryClient, repo: str) -> str:
    """Open an upload session; its location."""
    with client.send("POST", _uploads(repo), push_scope(repo), retry=NO_RETRY) as response:
        raise_for_status(response, f"upload to {repo}", BlobNotFoundError)
        return _location(response, f"upload to {repo}")


def put_manifest(client: RegistryClient, repo: str, reference: str, data: bytes, media_type: str) -> str:
    """Store a manifest or index under a tag or its digest; returns its digest, which the registry must confirm."""
    digest = compute_digest(data)
    what = f"manifest {repo}:{reference}" if ":" not in reference else f"manifest {repo}@{reference}"
    if ":" in reference and reference != digest:
        raise IntegrityError(f"{what}: these bytes hash to {digest}, not to the digest they are pushed under")
    path = f"/v2/{validate_repository(repo)}/manifests/{validate_tag_or_digest(reference)}"
    headers = {"Content-Type": media_type}
    with client.send("PUT", path, push_scope(repo), content=data, headers=headers) as response:
        raise_for_status(response, what, ManifestNotFoundError)
        stored = response.headers.get("Docker-Content-Digest")
    if stored and stored != digest:
        raise IntegrityError(f"{what}: the registry stored it as {stored}, not as {digest}")
    return digest


def _uploads(repo: str) -> str:
    return f"/v2/{validate_repository(repo)}/blobs/uploads/"


def _patch(client: RegistryClient, repo: str, location: str, chunk: bytes, offset: int, what: str) -> str:
    headers = {
        "Content-Type": _OCTETS,
        "Content-Range": f"{offset}-{offset + len(chunk) - 1}",
        "Content-Length": str(len(chunk)),
    }
    scope = push_scope(repo)
    with client.send("PATCH", location, scope, content=chunk, headers=headers, retry=NO_RETRY) as response:
        raise_for_status(response, what, BlobNotFoundError)
        return _location(response, what)


def _finish(client: RegistryClient, repo: str, location: str, digest: str, data: bytes | None, what: str) -> None:
    url = str(httpx.URL(location).copy_merge_params({"digest": digest}))
    headers = {"Content-Type": _OCTETS, "Content-Length": str(len(data or b""))}
    scope = push_scope(repo)
    with client.send("PUT", url, scope, content=data or b"", headers=headers, retry=NO_RETRY) as response:
        if response.status_code == 400 and "DIGEST_INVALID" in response.text:
            raise IntegrityError(f"{what}: the registry found that the bytes do not hash to {digest}")
        raise_for_status(response, what, BlobNotFoundError)
        stored = response.headers.get("Docker-Content-Digest")
    if stored and stored != digest:
        raise IntegrityError(f"{what}: the registry stored the blob as {stored}")


def _location(response: httpx.Response, what: str) -> str:
    """The absolute URL of the session the registry named; refused when it points at another host."""
    header = response.headers.get("Location")
    if not header:
        raise BadInputError(f"{what}: the registry answered {response.status_code} without a Location")
    url = response.request.url.join(header)
    if url.netloc != response.request.url.netloc:
        raise BadInputError(f"{what}: the registry sent the upload to another host ({url.host}); refused")
    return str(url)


def _expect_end(source: BinaryIO, size: int, what: str) -> None:
    """Read past the end: a longer source is refused, and a verifying source checks its digest here."""
    if source.read(1):
        raise IntegrityError(f"{what}: the source holds more than the {size} bytes its descriptor says")


def _read_exactly(source: BinaryIO, size: int, what: str) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = source.read(remaining)
        if not part:
            raise IntegrityError(f"{what}: the source ended {remaining} bytes before the size its descriptor says")
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
