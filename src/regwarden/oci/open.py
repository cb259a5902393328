"""One entry point from an image spec, as users type it, to an `ImageSource`.

`oci:`, `oci-archive:` and `docker-archive:` are local; anything else is a registry reference
(`localhost:5000/app:1.0`, `myreg.azurecr.io/app@sha256:…`, `alpine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from regwarden.model.errors import NotFoundError
from regwarden.model.image import ImageMetadata, Layer, Platform
from regwarden.oci.archives import TRANSPORTS, open_local_source
from regwarden.oci.manifest import normalize_platform
from regwarden.oci.source import ImageSource

if TYPE_CHECKING:
    from regwarden.oci.client import RegistryClient
    from regwarden.oci.registry_source import RegistrySource

LOCAL_TRANSPORTS = tuple(f"{transport}:" for transport in TRANSPORTS)


@dataclass(frozen=True)
class RegistryOptions:
    insecure: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    workers: int = 4


def is_local_spec(spec: str) -> bool:
    return spec.startswith(LOCAL_TRANSPORTS)


def open_image(
    spec: str,
    platform: Platform,
    options: RegistryOptions = RegistryOptions(),
    *,
    require_platform: bool = False,
) -> ImageSource:
    """The ImageSource for `spec`; nothing is fetched until `resolve()` or `open_layer()`.

    `platform` picks a manifest from an index. A single-platform image is taken whatever its platform, unless
    `require_platform` (the user named one explicitly): then another platform is a NotFoundError.
    """
    source = _open(spec, platform, options)
    return _PlatformChecked(source, platform) if require_platform else source


def _open(spec: str, platform: Platform, options: RegistryOptions) -> ImageSource:
    if is_local_spec(spec):
        return open_local_source(spec, platform)
    return _open_registry(spec, platform, options)


def _open_registry(spec: str, platform: Platform, options: RegistryOptions) -> ImageSource:
    # Imported here: local archives never need the HTTP stack, which would cost a CLI user ~0.15 s for nothing.
    from regwarden.oci.reference import parse_reference
    from regwarden.oci.registry_source import RegistrySource, connect

    reference = parse_reference(spec)
    client = connect(
        reference.registry,
        username=options.username,
        password=options.password,
        insecure=options.insecure,
        timeout=options.timeout,
    )
    return _ClientOwningSource(RegistrySource(client, reference, platform, workers=options.workers), client)


class _ClientOwningSource:
    """RegistrySource borrows its client; the one opened here is closed with the source."""

    def __init__(self, source: RegistrySource, client: RegistryClient) -> None:
        self._source = source
        self._client = client

    def resolve(self) -> ImageMetadata:
        return self._source.resolve()

    def open_layer(self, layer: Layer) -> BinaryIO:
        return self._source.open_layer(layer)

    def close(self) -> None:
        try:
            self._source.close()
        finally:
            self._client.close()


class _PlatformChecked:
    """Refuses a single-platform image whose config names another platform than the one the user asked for."""

    def __init__(self, source: ImageSource, platform: Platform) -> None:
        self._source = source
        self._platform = platform

    def resolve(self) -> ImageMetadata:
        metadata = self._source.resolve()
        actual = metadata.platform
        if metadata.index_digest is None and actual is not None and not _same_platform(actual, self._platform):
            raise NotFoundError(f"{metadata.reference} is a {actual} image, not {self._platform}")
        return metadata

    def open_layer(self, layer: Layer) -> BinaryIO:
        return self._source.open_layer(layer)

    def close(self) -> None:
        self._source.close()


def _same_platform(actual: Platform, wanted: Platform) -> bool:
    """Compared as index selection compares them, so `linux/aarch64` accepts what it would pick from an index."""
    found, asked = normalize_platform(actual), normalize_platform(wanted)
    if (found.os, found.architecture) != (asked.os, asked.architecture):
        return False
    # A variant the user left out, or one the image does not record, is not a mismatch.
    return wanted.variant is None or actual.variant is None or found.variant == asked.variant
