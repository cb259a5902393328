"""Media types of OCI and Docker manifests, configs and layers (OCI image-spec v1.1, Docker manifest v2.2)."""

from __future__ import annotations

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

# Docker schema 1 is refused: it has no content-addressed config and its signatures are not verifiable here.
DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
# The short-lived OCI artifact manifest (image-spec 1.1 release candidates), removed before 1.1.0.
OCI_ARTIFACT_MANIFEST = "application/vnd.oci.artifact.manifest.v1+json"

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"

OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_NONDISTRIBUTABLE_TAR = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
# Not in the Docker spec, but `docker save` style tooling sometimes labels uncompressed layers this way.
DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar"

MANIFEST_MEDIA_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST_V2})
INDEX_MEDIA_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
SCHEMA1_MEDIA_TYPES = frozenset({DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED})
CONFIG_MEDIA_TYPES = frozenset({OCI_CONFIG, DOCKER_CONFIG})

# Which compression each layer media type implies; the layer filesystem chooses its decompressor from this.
LAYER_COMPRESSION: dict[str, str | None] = {
    OCI_LAYER_TAR: None,
    OCI_LAYER_TAR_GZIP: "gzip",
    OCI_LAYER_TAR_ZSTD: "zstd",
    OCI_LAYER_NONDISTRIBUTABLE_TAR: None,
    OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP: "gzip",
    OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD: "zstd",
    DOCKER_LAYER_TAR: None,
    DOCKER_LAYER_TAR_GZIP: "gzip",
    DOCKER_FOREIGN_LAYER_TAR_GZIP: "gzip",
}
LAYER_MEDIA_TYPES = frozenset(LAYER_COMPRESSION)

# Index first: a registry then serves the multi-arch list and the client picks the platform itself.
MANIFEST_ACCEPT = ", ".join((OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST_V2))


def layer_compression(media_type: str) -> str | None:
    """`"gzip"`, `"zstd"` or None (plain tar) for a layer media type; unknown types are judged by their
    suffix so that vendor types like `...tar+gzip` still decompress."""
    if media_type in LAYER_COMPRESSION:
        return LAYER_COMPRESSION[media_type]
    if media_type.endswith(("+gzip", ".gzip")):
        return "gzip"
    if media_type.endswith(("+zstd", ".zstd")):
        return "zstd"
    return None
