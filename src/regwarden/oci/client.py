"""The OCI distribution API client for one registry host: manifests, blobs, tags, catalog, referrers, deletes.

Every request goes through `_open`: authorization for the scope, retries with backoff (`retry.py`), one
retry with fresh authorization on 401 (`auth.py`), and a mapping of failures to regwarden's error types.
Content is always verified against its digest; a registry is never trusted to serve what it claims.
"""

from __future__ import annotations

import contextlib
import io
import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import httpx

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError, RegwardenError
from regwarden.model.image import Descriptor
from regwarden.oci import mediatypes as mt
from regwarden.oci.auth import ForbiddenError, RegistryAuth, UnauthorizedError
from regwarden.oci.blobs import VerifyingReader, compute_digest, verify_bytes
from regwarden.oci.json_fields import load_json, parse_descriptor
from regwarden.oci.reference import (
    is_loopback_host,
    validate_digest,
    validate_repository,
    validate_tag_or_digest,
)
from regwarden.oci.retry import (
    CHUNK_SIZE,
    RegistryUnreachableError,
    ResponseStream,
    RetryPolicy,
    raise_for_status,
    read_limited,
    registry_errors,
    send_with_retry,
)

__all__ = [
    "BlobNotFoundError",
    "DeleteNotAllowedError",
    "FetchedManifest",
    "ForbiddenError",
    "ManifestNotFoundError",
    "Referrer",
    "RegistryClient",
    "RegistryUnreachableError",
    "UnauthorizedError",
]

MAX_PAGES = 10_000
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""Cap on manifests and configs held in memory: generous (registries accept 4 MiB) but bounded."""


class ManifestNotFoundError(NotFoundError):
    """The repository has no manifest for that tag or digest (or the repository does not exist)."""


class BlobNotFoundError(NotFoundError):
    """The repository has no blob with that digest."""


class DeleteNotAllowedError(ForbiddenError):
    """The registry refuses deletes (405 / UNSUPPORTED: deletion disabled in its configuration)."""


@dataclass(frozen=True)
class _Body:
    """What a request sends besides its method, path and scope: bytes (so a retry can send them again)."""

    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry: RetryPolicy | None = None


_NO_BODY = _Body()


class FetchedManifest(NamedTuple):
    data: bytes
    media_type: str
    digest: str


@dataclass(frozen=True)
class Referrer:
    """A manifest whose `subject` is the image: a signature, SBOM or attestation."""

    descriptor: Descriptor
    artifact_type: str | None


class RegistryClient:
    """A client for one registry host. Thread-safe: layers may be downloaded from several threads at once."""

    def __init__(
        self,
        registry: str,
        *,
        auth: RegistryAuth | None = None,
        insecure: bool = False,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.registry = registry
        self.auth = auth if auth is not None else RegistryAuth()
        self.retry = retry if retry is not None else RetryPolicy()
        self._insecure = insecure
        # Plain HTTP only with --insecure; loopback registries (tests, port-forwards) start there.
        self._scheme = "http" if insecure and is_loopback_host(registry) else "https"
        self._owns_http = http is None
        self._http = http if http is not None else _new_http(transport, verify, insecure, timeout)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self.registry}"

    # -- manifests -----------------------------------------------------------------------------------------

    def get_manifest(self, repo: str, reference: str, accept: str = mt.MANIFEST_ACCEPT) -> FetchedManifest:
        """Fetch a manifest or index by tag or digest; its digest is verified (or computed and checked)."""
        what = f"manifest {repo}:{reference}" if ":" not in reference else f"manifest {repo}@{reference}"
        path = _path(repo, "manifests", validate_tag_or_digest(reference))
        with self._request("GET", path, _pull(repo), accept=accept, stream=True) as response:
            raise_for_status(response, what, ManifestNotFoundError)
            data = read_limited(response, MAX_DOCUMENT_BYTES, what)
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            header_digest = response.headers.get("Docker-Content-Digest")
        if _is_digest(reference):
            verify_bytes(data, reference, None, what)
            return FetchedManifest(data, media_type, reference)
        digest = compute_digest(data)
        if header_digest and header_digest.startswith("sha256:"):
            verify_bytes(data, header_digest, None, what)
        return FetchedManifest(data, media_type, digest)

    def head_manifest(self, repo: str, reference: str, accept: str = mt.MANIFEST_ACCEPT) -> Descriptor:
        """The descriptor of a manifest without downloading it (digest from `Docker-Content-Digest`)."""
        what = f"manifest {repo}:{reference}"
        with self._request(
            "HEAD", _path(repo, "manifests", validate_tag_or_digest(reference)), _pull(repo), accept=accept
        ) as response:
            raise_for_status(response, what, ManifestNotFoundError)
            digest = response.headers.get("Docker-Content-Digest") or (reference if _is_digest(reference) else "")
            if not digest:
                raise RegwardenError(f"{what}: the registry sent no Docker-Content-Digest on HEAD")
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            size = int(response.headers.get("Content-Length", "0") or 0)
        return Descriptor(media_type=media_type, digest=digest, size=size)

    def delete_manifest(self, repo: str, digest: str) -> None:
        """Delete a manifest by digest (tags pointing at it go with it)."""
        validate_digest(digest)
        what = f"manifest {repo}@{digest}"
        with self._request("DELETE", _path(repo, "manifests", digest), _delete(repo)) as response:
            if response.status_code == 405:
                raise DeleteNotAllowedError(
                    f"{self.registry} does not allow deleting {what}: {registry_errors(response)}"
                )
            raise_for_status(response, what, ManifestNotFoundError)

    # -- blobs ---------------------------------------------------------------------------------------------

    def open_blob(self, repo: str, descriptor: Descriptor) -> BinaryIO:
        """The blob as a stream that raises DigestMismatchError at its end if digest or size are wrong."""
        what = f"blob {repo}@{descriptor.digest}"
        response = self._open("GET", _path(repo, "blobs", validate_digest(descriptor.digest)), _pull(repo), stream=True)
        try:
            raise_for_status(response, what, BlobNotFoundError)
        except BaseException:
            response.close()
            raise
        return VerifyingReader(
            io.BufferedReader(ResponseStream(response, what), CHUNK_SIZE),
            descriptor.digest,
            descriptor.size,
            what,
        )

    def get_blob(self, repo: str, descriptor: Descriptor, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
        """A small blob (config, signature payload) in memory, verified; refuses more than `max_bytes`."""
        what = f"blob {repo}@{descriptor.digest}"
        if descriptor.size > max_bytes:
            raise IntegrityError(f"{what} is {descriptor.size} bytes, more than the {max_bytes} allowed here")
        with self.open_blob(repo, descriptor) as stream:
            return stream.read()

    def get_blob_to_file(
        self,
        repo: str,
        descriptor: Descriptor,
        dest_path: Path,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        """Stream a blob into `dest_path`, verified; the partial file is removed if anything goes wrong."""
        done = 0
        try:
            with self.open_blob(repo, descriptor) as source, dest_path.open("wb") as sink:
                while chunk := source.read(CHUNK_SIZE):
                    sink.write(chunk)
                    done += len(chunk)
                    if on_progress is not None:
                        on_progress(done)
        except BaseException:
            dest_path.unlink(missing_ok=True)
            raise

    # -- listings ------------------------------------------------------------------------------------------

    def list_tags(self, repo: str, page_size: int | None = None) -> list[str]:
        """Every tag of `repo`, following `Link: <…>; rel="next"` pagination."""
        return self._paginate(_path(repo, "tags", "list"), _pull(repo), "tags", page_size, f"tags of {repo}")

    def catalog(self, page_size: int | None = None) -> list[str]:
        """Every repository of the registry (needs catalog permission), following pagination."""
        return self._paginate("/v2/_catalog", "registry:catalog:*", "repositories", page_size, "catalog")

    def referrers(self, repo: str, digest: str, artifact_type: str | None = None) -> list[Referrer]:
        """Manifests that name `digest` as their subject: the referrers API, else the `sha256-<hex>` tag."""
        validate_digest(digest)
        params = {"artifactType": artifact_type} if artifact_type else None
        url: str | None = _path(repo, "referrers", digest)
        found: list[Referrer] = []
        for page in range(MAX_PAGES):
            assert url is not None
            with self._request("GET", url, _pull(repo), accept=mt.OCI_INDEX, params=params) as response:
                if response.status_code == 404 and page == 0:
                    return self._referrers_by_tag(repo, digest, artifact_type)
                raise_for_status(response, f"referrers of {repo}@{digest}", ManifestNotFoundError)
                found += _parse_referrers(response.read(), artifact_type)
                url = _next_link(response)
            if url is None:
                break
            params = None
        return found

    def _referrers_by_tag(self, repo: str, digest: str, artifact_type: str | None) -> list[Referrer]:
        algorithm, _, hex_part = digest.partition(":")
        try:
            fetched = self.get_manifest(repo, f"{algorithm}-{hex_part}", accept=mt.OCI_INDEX)
        except ManifestNotFoundError:
            return []
        return _parse_referrers(fetched.data, artifact_type)

    def get_json_pages(
        self, path: str, scope: str, *, params: Mapping[str, str] | None = None, what: str | None = None
    ) -> Iterator[Any]:
        """GET `path` (e.g. `/acr/v1/_catalog`) authorized for `scope`, then each page its `Link: <…>; rel="next"`
        names; yields every page's JSON document as it arrives.

        Requests go through the client's usual auth, retry and error mapping (404 → NotFoundError). A next
        link to another host is refused: the registry's token must never be sent elsewhere.
        """
        if not path.startswith("/"):
            raise ValueError(f"get_json_pages takes a path on {self.registry}, got {path!r}")
        what = what or path
        url: str | None = path
        seen: set[str] = set()
        while url is not None and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            with self._request("GET", url, scope, params=params) as response:
                raise_for_status(response, what, NotFoundError)
                document = load_json(response.read(), f"the registry's answer for {what}")
                url = _next_link(response)
            if url is not None and httpx.URL(url).netloc != httpx.URL(self.base_url).netloc:
                raise BadInputError(f"{what}: the registry pointed the next page at another host ({url})")
            params = None  # the next link carries its own query
            yield document

    def _paginate(self, path: str, scope: str, key: str, page_size: int | None, what: str) -> list[str]:
        params = {"n": str(page_size)} if page_size else None
        items: list[str] = []
        for document in self.get_json_pages(path, scope, params=params, what=what):
            items += _read_names(document, key, what)
        return items

    # -- transport -----------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        scope: str,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> contextlib.AbstractContextManager[httpx.Response]:
        """A request with a body (uploads, ACR's PATCH) through the same auth, retries and 401 refresh; the
        response is closed on leaving the `with`. The caller maps its status (`raise_for_status`).

        `path` may be an absolute URL (an upload `Location`); the caller checks it names this registry.
        `retry` overrides the policy, e.g. `NO_RETRY` for a request that must not be repeated.
        """
        body = _Body(content, dict(headers or {}), retry)
        return self._request(method, path, scope, params=params, body=body)

    @contextlib.contextmanager
    def _request(
        self,
        method: str,
        path: str,
        scope: str,
        *,
        accept: str | None = None,
        params: Mapping[str, str] | None = None,
        stream: bool = False,
        body: _Body | None = None,
    ) -> Iterator[httpx.Response]:
        """`_open` as a context manager that closes the response afterwards."""
        response = self._open(method, path, scope, accept=accept, params=params, stream=stream, body=body)
        try:
            yield response
        finally:
            response.close()

    def _open(
        self,
        method: str,
        path: str,
        scope: str,
        *,
        accept: str | None = None,
        params: Mapping[str, str] | None = None,
        stream: bool = False,
        body: _Body | None = None,
    ) -> httpx.Response:
        """Send with auth and retries; on 401 get fresh authorization and try once more. The caller closes."""
        sent = body or _NO_BODY
        for attempt in (1, 2):
            response = send_with_retry(
                lambda: self._send_once(method, path, scope, accept, params, stream, sent),
                sent.retry or self.retry,
                self._url(path),
            )
            if response.status_code != 401 or attempt == 2:
                return response
            try:
                fresh = self.auth.on_unauthorized(self._http, response.headers.get("WWW-Authenticate"), scope)
            except BaseException:
                response.close()
                raise
            if not fresh:
                return response
            response.close()
        raise AssertionError("unreachable")

    def _send_once(
        self,
        method: str,
        path: str,
        scope: str,
        accept: str | None,
        params: Mapping[str, str] | None,
        stream: bool,
        body: _Body,
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        headers.update(body.headers)
        if stream:
            # Digests are over the stored bytes: ask for them unencoded, and read them raw (a store that
            # labels gzip layers `Content-Encoding: gzip` must not have them decompressed on the way).
            headers["Accept-Encoding"] = "identity"
        authorization = self.auth.authorization(scope)
        if authorization:
            headers["Authorization"] = authorization
        request = self._build(method, path, headers, params, body.content)
        try:
            return self._http.send(request, stream=stream)
        except httpx.ConnectError:
            if not (self._insecure and self._scheme == "https"):
                raise
        # --insecure against a plain-HTTP registry: the TLS handshake failed, so speak HTTP from now on.
        self._scheme = "http"
        return self._http.send(self._build(method, path, headers, params, body.content), stream=stream)

    def _build(
        self, method: str, path: str, headers: dict[str, str], params: Mapping[str, str] | None, content: bytes | None
    ) -> httpx.Request:
        return self._http.build_request(method, self._url(path), headers=headers, params=params, content=content)

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"


def _new_http(
    transport: httpx.BaseTransport | None, verify: ssl.SSLContext | bool, insecure: bool, timeout: float
) -> httpx.Client:
    return httpx.Client(
        transport=transport,
        verify=False if insecure else verify,
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,  # blobs redirect to storage; httpx drops Authorization on cross-origin hops
        headers={"User-Agent": "regwarden"},
    )


def _path(repo: str, *rest: str) -> str:
    """`/v2/<repo>/<rest…>`; the repository is validated so a hostile name cannot reshape the URL."""
    return "/".join(("/v2", validate_repository(repo), *rest))


def _pull(repo: str) -> str:
    return f"repository:{repo}:pull"


def _delete(repo: str) -> str:
    return f"repository:{repo}:delete"


def _is_digest(reference: str) -> bool:
    return ":" in reference


def _next_link(response: httpx.Response) -> str | None:
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    return str(response.request.url.join(url))


def _read_names(body: object, key: str, what: str) -> list[str]:
    names = body.get(key) if isinstance(body, dict) else None
    if names is None:
        return []  # distribution answers `"tags": null` for a repository whose tags were all deleted
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadInputError(f"{what}: `{key}` must be a list of strings")
    return names


def _parse_referrers(data: bytes, artifact_type: str | None) -> list[Referrer]:
    body = load_json(data, "referrers index")
    entries = body.get("manifests") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise BadInputError("referrers index has no `manifests` list")
    referrers = []
    for entry in entries:
        descriptor = parse_descriptor(entry, "referrer descriptor")
        found_type = entry.get("artifactType")
        found_type = found_type if isinstance(found_type, str) else None
        # Filter here too: a registry may ignore the artifactType parameter, and the tag schema has none.
        if artifact_type is None or found_type == artifact_type:
            referrers.append(Referrer(descriptor, found_type))
    return referrers
