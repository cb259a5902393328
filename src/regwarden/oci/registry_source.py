"""An image in a registry as an `ImageSource`: resolve tag → manifest (through an index), download layers.

`connect()` builds the client for a registry from the user's flags, environment or docker config (or Azure AD
for an ACR); `RegistrySource` reads one image through it.

Layers are downloaded concurrently into a private temp directory the first time one is opened (or on
`prefetch()`), because consumers read them one after another and a sequential pull of a big image is slow.
Every blob is verified on download and again when read back, so a file altered on disk is caught too.
"""

from __future__ import annotations

import dataclasses
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import httpx

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.image import Descriptor, ImageMetadata, Layer, Platform
from regwarden.oci.acr import auth_for_registry
from regwarden.oci.blobs import VerifyingReader, parse_digest
from regwarden.oci.client import FetchedManifest, RegistryClient
from regwarden.oci.credentials import resolve_credentials
from regwarden.oci.image_config import build_metadata, parse_config
from regwarden.oci.manifest import MAX_INDEX_DEPTH, Index, Manifest, parse_manifest_document, select_platform
from regwarden.oci.reference import Reference, parse_reference
from regwarden.oci.retry import RetryPolicy

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

ProgressCallback = Callable[[Layer, int], None]
"""Called with a layer and the bytes of it downloaded so far; from worker threads."""


class RegistrySource:
    """`ImageSource` for `registry/repo:tag` or `registry/repo@digest`, through a `RegistryClient`.

    The client is borrowed, not owned: `close()` removes the downloaded layers but leaves the client open.
    """

    def __init__(
        self,
        client: RegistryClient,
        reference: Reference | str,
        platform: Platform,
        *,
        workers: int = 4,
        on_progress: ProgressCallback | None = None,
        temp_root: Path | None = None,
    ) -> None:
        self.reference = parse_reference(reference) if isinstance(reference, str) else reference
        if self.reference.registry != client.registry:
            raise BadInputError(f"{self.reference} is not in registry {client.registry}")
        if workers < 1:
            raise BadInputError("workers must be at least 1")
        self._client = client
        self._platform = platform
        self._workers = workers
        self._on_progress = on_progress
        self._temp_root = temp_root
        self._metadata: ImageMetadata | None = None
        self._layer_dir: Path | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> RegistrySource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def resolve(self) -> ImageMetadata:
        with self._lock:
            if self._metadata is None:
                self._metadata = self._resolve()
            return self._metadata

    def prefetch(self) -> None:
        """Download every layer now (concurrently), verified. Safe to call more than once."""
        metadata = self.resolve()
        with self._lock:
            if self._layer_dir is not None:
                return
            directory = Path(tempfile.mkdtemp(prefix="regwarden-layers-", dir=self._temp_root))
            try:
                self._download_all(metadata.layers, directory)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self._layer_dir = directory

    def open_layer(self, layer: Layer) -> BinaryIO:
        """The layer blob, verified as it is read: from the prefetched copy if `prefetch()` ran, else streamed
        straight from the registry, so reading overlaps downloading and nothing touches the disk."""
        metadata = self.resolve()
        if all(known.digest != layer.digest for known in metadata.layers):
            raise NotFoundError(f"layer {layer.digest} is not part of {self.reference}")
        with self._lock:
            layer_dir = self._layer_dir
        if layer_dir is None:
            descriptor = Descriptor(media_type=layer.media_type, digest=layer.digest, size=layer.size)
            return self._client.open_blob(self.reference.repository, descriptor)
        path = layer_dir / _file_name(layer.digest)
        return VerifyingReader(path.open("rb"), layer.digest, layer.size, f"layer {layer.digest} ({path})")

    def close(self) -> None:
        with self._lock:
            if self._layer_dir is not None:
                shutil.rmtree(self._layer_dir, ignore_errors=True)
                self._layer_dir = None

    def _resolve(self) -> ImageMetadata:
        repo = self.reference.repository
        fetched = self._client.get_manifest(repo, self.reference.identifier)
        document = parse_manifest_document(fetched.data, fetched.media_type or None)
        index_digest = None
        for _ in range(MAX_INDEX_DEPTH):
            if isinstance(document, Manifest):
                return self._metadata_for(fetched, document, index_digest)
            index_digest = fetched.digest
            fetched, document = self._child(document)
        raise BadInputError(f"{self.reference}: indexes nested deeper than {MAX_INDEX_DEPTH} levels")

    def _child(self, index: Index) -> tuple[FetchedManifest, Manifest | Index]:
        chosen = select_platform(index, self._platform)
        fetched = self._client.get_manifest(self.reference.repository, chosen.digest)
        if len(fetched.data) != chosen.size:
            raise BadInputError(
                f"{self.reference}: manifest {chosen.digest} is {len(fetched.data)} bytes, the index says {chosen.size}"
            )
        declared = fetched.media_type or chosen.media_type or None
        return fetched, parse_manifest_document(fetched.data, declared)

    def _metadata_for(self, fetched: FetchedManifest, manifest: Manifest, index_digest: str | None) -> ImageMetadata:
        config_data = self._client.get_blob(self.reference.repository, manifest.config)
        metadata = build_metadata(
            reference=str(self.reference),
            manifest_digest=fetched.digest,
            manifest=manifest,
            config_digest=manifest.config.digest,
            config=parse_config(config_data),
            index_digest=index_digest,
        )
        pinned = f"{self.reference.name}@{index_digest or fetched.digest}"
        tags = (self.reference.tag,) if self.reference.tag else ()
        return dataclasses.replace(metadata, repo_digests=(pinned,), tags=tags)

    def _download_all(self, layers: tuple[Layer, ...], directory: Path) -> None:
        unique = list({layer.digest: layer for layer in layers}.values())
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="regwarden-layer") as pool:
            futures = [pool.submit(self._download, layer, directory) for layer in unique]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in done:
                future.result()  # re-raise the first failure (digest mismatch, 404, unreachable...)

    def _download(self, layer: Layer, directory: Path) -> None:
        descriptor = Descriptor(media_type=layer.media_type, digest=layer.digest, size=layer.size)
        progress = self._on_progress
        callback = None if progress is None else (lambda done: progress(layer, done))
        self._client.get_blob_to_file(
            self.reference.repository, descriptor, directory / _file_name(layer.digest), callback
        )


def _file_name(digest: str) -> str:
    algorithm, encoded = parse_digest(digest)
    return f"{algorithm}-{encoded}"


def connect(
    registry: str,
    *,
    username: str | None = None,
    password: str | None = None,
    insecure: bool = False,
    azure_credential: TokenCredential | None = None,
    environ: Mapping[str, str] | None = None,
    docker_config: Path | None = None,
    timeout: float = 30.0,
    retry: RetryPolicy | None = None,
    transport: httpx.BaseTransport | None = None,
    verify: ssl.SSLContext | bool = True,
) -> RegistryClient:
    """A client for `registry` with credentials from flags, env, docker config, or Azure AD for ACRs."""
    credentials = resolve_credentials(
        registry,
        username=username,
        password=password,
        environ=environ,
        config_path=docker_config,
        helper_timeout=timeout,
    )
    auth = auth_for_registry(registry, credentials, azure_credential=azure_credential)
    return RegistryClient(
        registry,
        auth=auth,
        insecure=insecure,
        transport=transport,
        verify=verify,
        timeout=timeout,
        retry=retry,
    )
