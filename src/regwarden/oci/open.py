"""One entry point from an image spec, as users type it, to an `ImageSource`.

`oci:`, `oci-archive:` and `docker-archive:` are local; anything else is a registry reference
(`localhost:5000/app:1.0`, `myreg.azurecr.io/app@sha256:…`, `alpine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from regwarden.model.image import ImageMetadata, Layer, Platform
from regwarden.oci.source import ImageSource

if TYPE_CHECKING:
    from regwarden.oci.client import RegistryClient
    from regwarden.oci.registry_source import RegistrySource

LOCAL_TRANSPORTS = ("oci:", "oci-archive:", "docker-archive:")


@dataclass(frozen=True)
class RegistryOptions:
    insecure: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    workers: int = 4


def is_local_spec(spec: str) -> bool:
    return spec.startswith(LOCAL_TRANSPORTS)


def open_image(spec: str, platform: Platform, options: RegistryOptions = RegistryOptions()) -> ImageSource:
    """The ImageSource for `spec`; nothing is fetched until `resolve()` or `open_layer()`."""
    if is_local_spec(spec):
        # Local archives never need the HTTP stack: importing it would cost a CLI user ~0.15 s for nothing.
        from regwarden.oci.archives import open_local_source

        return open_local_source(spec, platform)
    return _open_registry(spec, platform, options)


def _open_registry(spec: str, platform: Platform, options: RegistryOptions) -> ImageSource:
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
