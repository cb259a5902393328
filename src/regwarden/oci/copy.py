"""Copy an image between repositories (of one registry or two) with its digest preserved.

The manifest bytes are copied exactly, never re-serialised, so the digest at the destination is the source's.
An index is copied with every manifest it names (all platforms and attestations), bottom-up: the blobs of each
manifest first, then each child manifest by digest, then the index itself under the destination's tag or digest,
so a registry never sees a manifest whose content it lacks. Each blob is skipped when the destination holds it,
mounted across repositories of the same registry (no bytes sent), and otherwise streamed from the source through
a digest-verifying reader into an upload (oci/upload.py). Non-distributable (foreign) layers are not copied:
registries serve them from their own URLs and accept manifests that name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.image import Descriptor, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.client import RegistryClient
from regwarden.oci.manifest import MAX_INDEX_DEPTH, Index, is_attestation, parse_manifest_document
from regwarden.oci.upload import DEFAULT_CHUNK_SIZE, blob_exists, mount_blob, put_manifest, upload_blob

NON_DISTRIBUTABLE = frozenset(
    {
        mt.DOCKER_FOREIGN_LAYER_TAR_GZIP,
        mt.OCI_LAYER_NONDISTRIBUTABLE_TAR,
        mt.OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP,
        mt.OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD,
    }
)


@dataclass(frozen=True)
class ImageTree:
    """A manifest or index as stored (its exact bytes), and what it names: blobs, or child manifests."""

    digest: str
    media_type: str
    data: bytes
    blobs: tuple[Descriptor, ...] = ()
    children: tuple[ImageTree, ...] = ()
    platform: Platform | None = None
    """The platform the parent index names for it."""
    attestation: bool = False
    """An index entry that is no runnable image (BuildKit's `unknown/unknown` provenance and SBOM manifests)."""
    config_media_type: str | None = None

    def manifests(self) -> list[ImageTree]:
        """Every manifest of the tree, children before their index."""
        return [*(manifest for child in self.children for manifest in child.manifests()), self]

    def images(self) -> list[ImageTree]:
        """The image manifests of the tree (no indexes), in index order."""
        return [manifest for manifest in self.manifests() if not manifest.children and manifest.blobs]


@dataclass
class CopyStats:
    manifests: int = 0
    blobs_present: int = 0
    blobs_mounted: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    blobs_foreign: int = 0
    seen: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Repository:
    """One side of a copy: a client and a repository on its registry."""

    client: RegistryClient
    name: str


def read_tree(source: Repository, reference: str, entry: Descriptor | None = None, depth: int = 0) -> ImageTree:
    """The manifest `reference` names and, for an index, every manifest under it (bounded depth).

    `entry` is the index's descriptor of this manifest: its size is checked, and it says the platform.
    """
    if depth > MAX_INDEX_DEPTH:
        raise BadInputError(f"{source.name}@{reference}: indexes nested deeper than {MAX_INDEX_DEPTH} levels")
    fetched = source.client.get_manifest(source.name, reference)
    if entry is not None and len(fetched.data) != entry.size:
        raise IntegrityError(f"{source.name}@{reference} is {len(fetched.data)} bytes, its index says {entry.size}")
    document = parse_manifest_document(fetched.data, fetched.media_type or (entry.media_type if entry else None))
    platform = entry.platform if entry else None
    attestation = entry is not None and is_attestation(entry)
    if isinstance(document, Index):
        children = tuple(read_tree(source, child.digest, child, depth + 1) for child in document.manifests)
        return ImageTree(fetched.digest, document.media_type, fetched.data, (), children, platform, attestation)
    blobs = (document.config, *document.layers)
    return ImageTree(
        fetched.digest, document.media_type, fetched.data, blobs, (), platform, attestation, document.config.media_type
    )


def copy_tree(
    tree: ImageTree, source: Repository, target: Repository, reference: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> CopyStats:
    """Copy `tree` from `source` to `target`, the top manifest under `reference` (a tag, or the tree's digest)."""
    stats = CopyStats()
    same_registry = source.client.registry == target.client.registry
    for manifest in tree.manifests():
        for descriptor in manifest.blobs:
            _copy_blob(descriptor, source, target, same_registry, stats, chunk_size)
        where = reference if manifest is tree else manifest.digest
        put_manifest(target.client, target.name, where, manifest.data, manifest.media_type)
        stats.manifests += 1
    return stats


def _copy_blob(
    descriptor: Descriptor,
    source: Repository,
    target: Repository,
    same_registry: bool,
    stats: CopyStats,
    chunk_size: int,
) -> None:
    if descriptor.digest in stats.seen:
        return
    stats.seen.add(descriptor.digest)
    if descriptor.media_type in NON_DISTRIBUTABLE:
        stats.blobs_foreign += 1
        return
    if blob_exists(target.client, target.name, descriptor.digest):
        stats.blobs_present += 1
        return
    location = None
    if same_registry:
        mount = mount_blob(target.client, target.name, descriptor.digest, source.name)
        if mount.mounted:
            stats.blobs_mounted += 1
            return
        location = mount.upload_location
    with source.client.open_blob(source.name, descriptor) as stream:
        upload_blob(target.client, target.name, descriptor, stream, chunk_size=chunk_size, location=location)
    stats.blobs_uploaded += 1
    stats.bytes_uploaded += descriptor.size
