"""The image-source seam: anything that can name an image's manifest, config and layer blobs.

Registries, OCI layouts, oci-archives and docker-archives all implement `ImageSource`. Consumers (inspect, the layer
filesystem) never know which one they hold.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from regwarden.model.image import ImageMetadata, Layer


class ImageSource(Protocol):
    """An image whose manifest has been chosen (platform selected) and whose blobs can be read."""

    def resolve(self) -> ImageMetadata:
        """Read and validate the manifest and config. Cheap to call twice (cached)."""
        ...

    def open_layer(self, layer: Layer) -> BinaryIO:
        """The layer blob exactly as stored (maybe compressed), as a stream that raises `IntegrityError` when its
        content does not match `layer.digest` or `layer.size` once read to the end. The caller closes it."""
        ...

    def close(self) -> None:
        """Release temp files and connections."""
        ...
