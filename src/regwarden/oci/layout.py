"""Reading an OCI image layout (image-spec `image-layout.md`) from a directory or from the members of a tar.

`resolve_layout` walks index.json → (nested indexes) → manifest → config, verifying every blob against its
digest, and returns the ImageMetadata. Only digest-derived names (`blobs/<alg>/<hex>`) are ever opened, so a
hostile index cannot point outside the layout.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.model.image import Descriptor, ImageMetadata, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.blobs import ReadableBytes, parse_digest, verify_bytes
from regwarden.oci.image_config import build_metadata, parse_config
from regwarden.oci.manifest import MAX_INDEX_DEPTH, Index, Manifest, parse_manifest_document, select_platform

# Registries accept manifests of at least 4 MiB; configs with long histories and big index.json files are
# larger, so JSON documents get a generous cap that still keeps a hostile file from exhausting memory.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_IMAGE_NAME = "io.containerd.image.name"


class LayoutFiles(Protocol):
    """The files of a layout, by relative name, wherever they are stored."""

    def open(self, name: str) -> ReadableBytes: ...

    def read(self, name: str, limit: int) -> bytes: ...

    def where(self, name: str) -> str: ...


class DirectoryFiles:
    """An OCI layout unpacked in a directory (`oci:DIR`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def where(self, name: str) -> str:
        return str(self.root / name)

    def open(self, name: str) -> ReadableBytes:
        try:
            return (self.root / name).open("rb")
        except FileNotFoundError:
            raise NotFoundError(f"{self.where(name)} does not exist") from None
        except OSError as exc:
            raise BadInputError(f"cannot read {self.where(name)}: {exc.strerror or exc}") from None

    def read(self, name: str, limit: int) -> bytes:
        handle = self.open(name)
        try:
            data = handle.read(limit + 1)
        finally:
            handle.close()
        if len(data) > limit:
            raise IntegrityError(f"{self.where(name)} is larger than the {limit} bytes allowed")
        return data


def blob_name(digest: str) -> str:
    algorithm, encoded = parse_digest(digest)
    return f"blobs/{algorithm}/{encoded}"


def read_blob(files: LayoutFiles, digest: str, size: int | None, what: str) -> bytes:
    """A small blob (manifest, config), verified against its digest and size."""
    data = files.read(blob_name(digest), MAX_DOCUMENT_BYTES)
    verify_bytes(data, digest, size, f"{what} ({files.where(blob_name(digest))})")
    return data


def read_index_json(files: LayoutFiles) -> Index:
    """index.json after checking the `oci-layout` marker; malformed files are named in the error."""
    marker = _read_required(files, "oci-layout")
    try:
        version = json.loads(marker).get("imageLayoutVersion")
    except (ValueError, AttributeError):
        version = None
    if not isinstance(version, str):
        raise BadInputError(f"{files.where('oci-layout')} is not a valid oci-layout marker")
    document = _parse(_read_required(files, "index.json"), mt.OCI_INDEX, files.where("index.json"))
    if not isinstance(document, Index):
        raise BadInputError(f"{files.where('index.json')} is a manifest, not an image index")
    return document


def _read_required(files: LayoutFiles, name: str) -> bytes:
    """A file every layout has: without it this is not a layout at all (bad input, not a missing image)."""
    try:
        return files.read(name, MAX_DOCUMENT_BYTES)
    except NotFoundError:
        raise BadInputError(f"{files.where(name)} is missing: this is not an OCI image layout") from None


def resolve_layout(files: LayoutFiles, ref: str | None, platform: Platform, reference: str) -> ImageMetadata:
    """The image that `ref` names in the layout (or its only image), for `platform` if it is multi-arch."""
    top = read_index_json(files)
    chosen = choose_entry(top.manifests, ref, platform, files.where("index.json"))
    manifest_descriptor, manifest, index_digest = descend(files, chosen, platform)
    config_data = read_blob(files, manifest.config.digest, manifest.config.size, "image config")
    metadata = build_metadata(
        reference=reference,
        manifest_digest=manifest_descriptor.digest,
        manifest=manifest,
        config_digest=manifest.config.digest,
        config=parse_config(config_data),
        index_digest=index_digest,
    )
    name = chosen.annotations.get(REF_NAME)
    return dataclasses.replace(metadata, tags=(name,)) if name else metadata


def choose_entry(entries: Sequence[Descriptor], ref: str | None, platform: Platform, where: str) -> Descriptor:
    """Pick from index.json by digest or ref name; several platform entries per name go to select_platform."""
    if ref is not None and ref.startswith(("sha256:", "sha512:")):
        parse_digest(ref)
        found = [d for d in entries if d.digest == ref]
        # A digest not listed in index.json may still name a manifest blob inside the layout.
        return found[0] if found else Descriptor(media_type="", digest=ref, size=-1)
    matches = list(entries) if ref is None else [d for d in entries if ref in _names(d)]
    if len(matches) == 1:
        return matches[0]
    names = sorted({name for d in entries for name in _names(d)}) or ["(no ref names)"]
    if not matches:
        raise NotFoundError(f"{where} has no image named {ref!r}; available: {', '.join(names)}")
    if all(d.platform is not None for d in matches):
        return select_platform(Index(mt.OCI_INDEX, tuple(matches)), platform)
    raise BadInputError(f"{where} holds {len(matches)} images; choose one with :REF from: {', '.join(names)}")


def descend(files: LayoutFiles, entry: Descriptor, platform: Platform) -> tuple[Descriptor, Manifest, str | None]:
    """Follow indexes down to one image manifest; returns it with the digest of the index it came from."""
    index_digest = None
    descriptor = entry
    for _ in range(MAX_INDEX_DEPTH):
        size = None if descriptor.size < 0 else descriptor.size
        data = read_blob(files, descriptor.digest, size, "manifest")
        document = _parse(data, descriptor.media_type or None, files.where(blob_name(descriptor.digest)))
        if isinstance(document, Manifest):
            return descriptor, document, index_digest
        index_digest = descriptor.digest
        descriptor = _choose_child(document, platform)
    raise BadInputError(f"indexes nested deeper than {MAX_INDEX_DEPTH} levels below {entry.digest}")


def _choose_child(index: Index, platform: Platform) -> Descriptor:
    """The entry for `platform`; an index whose only entry has no platform just wraps it (index → index)."""
    try:
        return select_platform(index, platform)
    except NotFoundError:
        if len(index.manifests) == 1 and index.manifests[0].platform is None:
            return index.manifests[0]
        raise


def _names(descriptor: Descriptor) -> set[str]:
    names = {descriptor.annotations.get(REF_NAME), descriptor.annotations.get(CONTAINERD_IMAGE_NAME)}
    return {name for name in names if name}


def _parse(data: bytes, declared: str | None, where: str) -> Manifest | Index:
    """parse_manifest_document, with the file named in the message (keeping the error's type)."""
    try:
        return parse_manifest_document(data, declared)
    except BadInputError as exc:
        raise type(exc)(f"{where}: {exc}") from None
