"""`docker save` archives (`docker-archive:FILE[:ref]`), both layouts.

Legacy archives hold `manifest.json` (Config, RepoTags, Layers), `<id>.json` configs and `<id>/layer.tar`
layers. There is no registry manifest, so one is synthesized (Docker v2 schema 2), and the layer digests are
the config's diff_ids because each layer.tar is the uncompressed layer. Docker 25+ archives also embed an OCI
layout (`index.json`, `blobs/sha256/...`); then the real manifest whose config matches is used.
`docker save | gzip` (or zstd) archives are read through a private decompressed copy (oci/compressed_archive.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.image import Descriptor, ImageConfig, ImageMetadata, Layer, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.blobs import VerifyingReader, compute_digest, verify_bytes
from regwarden.oci.compressed_archive import ArchiveTar
from regwarden.oci.compression import ZSTD_MAGIC, sniff_compression
from regwarden.oci.docker_saved_images import SavedImage, choose_image, read_saved_images
from regwarden.oci.image_config import build_metadata, parse_config
from regwarden.oci.layout import MAX_DOCUMENT_BYTES, blob_name, read_blob, read_index_json
from regwarden.oci.manifest import MAX_INDEX_DEPTH, Index, Manifest, parse_manifest_document
from regwarden.oci.tar_members import TarMembers

_BLOB_PATH = re.compile(r"blobs/(sha256|sha512)/([a-f0-9]+)")
_LEGACY_CONFIG = re.compile(r"([a-f0-9]{64})\.json")
_OCI_LAYER_TYPES = {"tar": mt.OCI_LAYER_TAR, "gzip": mt.OCI_LAYER_TAR_GZIP, "zstd": mt.OCI_LAYER_TAR_ZSTD}


class DockerArchiveSource:
    """An image inside a `docker save` tar; read in place by seeking, never extracted.

    `platform` is accepted for the ImageSource constructor shape but does not filter: `docker save` stores one
    platform per image, and the image is chosen by `ref` (a RepoTag or `@N`).
    """

    def __init__(self, path: Path, ref: str | None, platform: Platform) -> None:
        self.path = path
        self.ref = ref
        self.platform = platform
        self._archive = ArchiveTar(path)
        self._members: TarMembers | None = None
        self._metadata: ImageMetadata | None = None
        self._layer_members: dict[str, str] = {}

    def resolve(self) -> ImageMetadata:
        if self._metadata is None:
            self._metadata = self._resolve()
        return self._metadata

    def open_layer(self, layer: Layer) -> BinaryIO:
        self.resolve()
        name = self._layer_members.get(layer.digest)
        if name is None:
            raise NotFoundError(f"{self.path} has no layer {layer.digest}")
        stream = self._tar().open(name)
        return VerifyingReader(stream, layer.digest, layer.size, f"layer {layer.index} ({self._tar().where(name)})")

    def close(self) -> None:
        # Member streams own their file handles; the index itself holds none. A decompressed copy is removed.
        self._members = None
        self._archive.close()

    def _tar(self) -> TarMembers:
        if self._members is None:
            self._members = self._archive.members(allow_symlinks=True)
        return self._members

    def _resolve(self) -> ImageMetadata:
        members = self._tar()
        image = choose_image(read_saved_images(members), self.ref, members.where("manifest.json"))
        config_data = members.read(image.config, MAX_DOCUMENT_BYTES)
        config_digest = _config_digest(image.config, config_data, members)
        config = parse_config(config_data)
        embedded = None
        if "index.json" in members and "oci-layout" in members:
            embedded = find_embedded_manifest(members, config_digest)
        if embedded is not None:
            manifest_digest, manifest, index_digest = embedded
        else:
            manifest = self._synthesize(image, config, config_digest, len(config_data))
            manifest_digest, index_digest = compute_digest(_canonical(manifest)), None
        self._layer_members = self._member_names(image, manifest)
        metadata = build_metadata(
            reference=f"docker-archive:{self.path}" + (f":{self.ref}" if self.ref else ""),
            manifest_digest=manifest_digest,
            manifest=manifest,
            config_digest=config_digest,
            config=config,
            index_digest=index_digest,
        )
        return dataclasses.replace(metadata, tags=image.repo_tags)

    def _synthesize(self, image: SavedImage, config: ImageConfig, config_digest: str, size: int) -> Manifest:
        if len(config.diff_ids) != len(image.layers):
            raise BadInputError(
                f"{self.path}: manifest.json lists {len(image.layers)} layers but the config has "
                f"{len(config.diff_ids)} diff_ids"
            )
        layers = tuple(
            self._layer_descriptor(name, diff_id) for name, diff_id in zip(image.layers, config.diff_ids, strict=True)
        )
        return Manifest(mt.DOCKER_MANIFEST_V2, Descriptor(mt.DOCKER_CONFIG, config_digest, size), layers)

    def _layer_descriptor(self, name: str, diff_id: str) -> Descriptor:
        members = self._tar()
        blob = _BLOB_PATH.fullmatch(name)
        compression = _sniff_compression(members, name)
        if blob is not None:
            media_type = _OCI_LAYER_TYPES[compression]
            digest = f"{blob.group(1)}:{blob.group(2)}"
        else:
            media_type = mt.DOCKER_LAYER_TAR if compression == "tar" else _OCI_LAYER_TYPES[compression]
            # A legacy layer.tar is the uncompressed layer, so its digest is the diff_id; others are hashed.
            digest = diff_id if compression == "tar" else _hash_member(members, name)
        return Descriptor(media_type, digest, members.size(name))

    def _member_names(self, image: SavedImage, manifest: Manifest) -> dict[str, str]:
        """Layer digest → archive member; embedded OCI blobs are found by digest, legacy ones by position."""
        if len(manifest.layers) != len(image.layers):
            raise BadInputError(f"{self.path}: manifest.json and the image manifest disagree on the layer count")
        names = {}
        for descriptor, listed in zip(manifest.layers, image.layers, strict=True):
            by_digest = blob_name(descriptor.digest)
            names[descriptor.digest] = by_digest if by_digest in self._tar() else listed
        return names


def find_embedded_manifest(members: TarMembers, config_digest: str) -> tuple[str, Manifest, str | None] | None:
    """The manifest in a Docker 25+ archive's OCI layout whose config is `config_digest`, if present."""
    for digest, document, parent in _walk(members, read_index_json(members), None, 0):
        if isinstance(document, Manifest) and document.config.digest == config_digest:
            return digest, document, parent
    return None


def _walk(
    members: TarMembers, index: Index, index_digest: str | None, depth: int
) -> Iterator[tuple[str, Manifest | Index, str | None]]:
    if depth > MAX_INDEX_DEPTH:
        return
    for entry in index.manifests:
        if blob_name(entry.digest) not in members:
            continue  # docker saves one platform's blobs but may keep the whole index
        data = read_blob(members, entry.digest, entry.size, "manifest")
        document = parse_manifest_document(data, entry.media_type)
        yield entry.digest, document, index_digest
        if isinstance(document, Index):
            yield from _walk(members, document, entry.digest, depth + 1)


def _config_digest(name: str, data: bytes, members: TarMembers) -> str:
    """Config files are named by their digest in both layouts; check that name when it is one."""
    blob, legacy = _BLOB_PATH.fullmatch(name), _LEGACY_CONFIG.fullmatch(name)
    if blob is not None:
        expected = f"{blob.group(1)}:{blob.group(2)}"
    elif legacy is not None:
        expected = f"sha256:{legacy.group(1)}"
    else:
        return compute_digest(data)
    verify_bytes(data, expected, None, f"image config ({members.where(name)})")
    return expected


def _sniff_compression(members: TarMembers, name: str) -> str:
    """`gzip`, `zstd` or `tar`: docker-archive layers are judged by content, as `open_layer_stream` will."""
    reader = members.open(name)
    try:
        return sniff_compression(reader.read(len(ZSTD_MAGIC)))
    finally:
        reader.close()


def _hash_member(members: TarMembers, name: str) -> str:
    reader = members.open(name)
    digest = hashlib.sha256()
    try:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
    finally:
        reader.close()
    return f"sha256:{digest.hexdigest()}"


def _canonical(manifest: Manifest) -> bytes:
    """The synthesized v2s2 manifest as compact JSON, so its digest is stable across runs."""

    def descriptor(d: Descriptor) -> dict[str, object]:
        return {"mediaType": d.media_type, "size": d.size, "digest": d.digest}

    document = {
        "schemaVersion": 2,
        "mediaType": manifest.media_type,
        "config": descriptor(manifest.config),
        "layers": [descriptor(layer) for layer in manifest.layers],
    }
    return json.dumps(document, separators=(",", ":")).encode()
