"""Image manifests and indexes (OCI image-spec v1.1 and Docker manifest v2.2), parsed into frozen dataclasses.

The config document and the step from (manifest, config) to `ImageMetadata` live in `oci.image_config`, which
imports this module (never the reverse).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.image import Descriptor, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.json_fields import (
    load_json,
    optional_str,
    parse_descriptor,
    parse_descriptors,
    require_object,
    string_map,
)

__all__ = [
    "MAX_INDEX_DEPTH",
    "Index",
    "Manifest",
    "UnsupportedMediaTypeError",
    "parse_manifest_document",
    "select_platform",
]

MAX_INDEX_DEPTH = 4
"""Indexes followed, one inside another, before an image manifest must turn up; deeper is a loop or hostile."""

# Content-Type values that say nothing about which manifest it is (static file servers, some proxies).
_GENERIC_CONTENT_TYPES = frozenset({"application/json", "application/octet-stream", "text/plain", ""})


class UnsupportedMediaTypeError(BadInputError):
    """A well-formed document of a kind regwarden does not read (Docker schema 1, artifact manifest, ...)."""


@dataclass(frozen=True)
class Manifest:
    """An image manifest: one config blob and the layers, bottom first."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    annotations: Mapping[str, str] = field(default_factory=dict)
    subject: Descriptor | None = None
    """The manifest this one refers to (signatures, SBOM attestations): the OCI 1.1 referrers link."""
    artifact_type: str | None = None


@dataclass(frozen=True)
class Index:
    """An image index / Docker manifest list: one manifest per platform (and maybe attestations)."""

    media_type: str
    manifests: tuple[Descriptor, ...]
    annotations: Mapping[str, str] = field(default_factory=dict)


def parse_manifest_document(data: bytes, declared_media_type: str | None) -> Manifest | Index:
    """Parse a manifest or index as served by a registry or stored in a layout.

    `declared_media_type` is the HTTP Content-Type or the descriptor's mediaType that pointed here, if known.
    Malformed input raises BadInputError; a document of an unsupported kind raises UnsupportedMediaTypeError.
    """
    body = require_object(load_json(data, "manifest"), "manifest")
    media_type = _decide_media_type(body, declared_media_type)
    if body.get("schemaVersion") != 2:
        raise BadInputError(f"manifest schemaVersion must be 2, got {body.get('schemaVersion')!r}")
    annotations = string_map(body.get("annotations"), "manifest annotations")
    if media_type in mt.INDEX_MEDIA_TYPES:
        if not isinstance(body.get("manifests"), list):
            raise BadInputError("index has no manifests array")
        manifests = parse_descriptors(body.get("manifests"), "index manifests")
        return Index(media_type=media_type, manifests=manifests, annotations=annotations)
    if "config" not in body:
        raise BadInputError("manifest has no config descriptor")
    subject = body.get("subject")
    return Manifest(
        media_type=media_type,
        config=parse_descriptor(body["config"], "manifest config"),
        layers=parse_descriptors(body.get("layers"), "manifest layers"),
        annotations=annotations,
        subject=None if subject is None else parse_descriptor(subject, "manifest subject"),
        artifact_type=optional_str(body.get("artifactType"), "manifest artifactType"),
    )


def _decide_media_type(body: Mapping[str, Any], declared: str | None) -> str:
    """The declared type wins over inference, but must agree with the body's own `mediaType` if both exist."""
    header = (declared or "").split(";", 1)[0].strip().lower()
    header = "" if header in _GENERIC_CONTENT_TYPES else header
    own = body.get("mediaType")
    if own is not None and not isinstance(own, str):
        raise BadInputError(f"manifest mediaType must be a string, got {own!r}")
    if body.get("schemaVersion") == 1 or header in mt.SCHEMA1_MEDIA_TYPES or own in mt.SCHEMA1_MEDIA_TYPES:
        raise UnsupportedMediaTypeError(
            "Docker image manifest schema 1 is deprecated and not supported; re-push the image with a "
            "current client or convert it (e.g. `skopeo copy --format v2s2`)"
        )
    if header and own and header != own:
        raise BadInputError(f"manifest declared as {header!r} but its mediaType says {own!r}")
    media_type = header or own or _infer_media_type(body)
    if media_type not in mt.MANIFEST_MEDIA_TYPES | mt.INDEX_MEDIA_TYPES:
        raise UnsupportedMediaTypeError(
            f"unsupported manifest media type {media_type!r}; supported: "
            + ", ".join(sorted(mt.MANIFEST_MEDIA_TYPES | mt.INDEX_MEDIA_TYPES))
        )
    return media_type


def _infer_media_type(body: Mapping[str, Any]) -> str:
    """OCI made `mediaType` optional before v1.1; the fields present still tell an index from a manifest."""
    if "manifests" in body:
        return mt.OCI_INDEX
    if "config" in body or "layers" in body:
        return mt.OCI_MANIFEST
    raise BadInputError("document is neither a manifest (no config/layers) nor an index (no manifests)")


def normalize_platform(platform: Platform) -> Platform:
    """Canonical os/arch/variant, following containerd: arm64 means arm64/v8, arm means arm/v7."""
    os_name = platform.os.lower()
    arch = platform.architecture.lower()
    variant = (platform.variant or "").lower()
    if arch in ("aarch64", "arm64"):
        arch, variant = "arm64", "v8" if variant in ("", "8", "v8", "v8.0") else variant
    elif arch in ("x86_64", "x86-64", "amd64"):
        arch, variant = "amd64", "" if variant == "v1" else variant
    elif arch == "armhf":
        arch, variant = "arm", "v7"
    elif arch == "armel":
        arch, variant = "arm", "v6"
    elif arch == "arm":
        variant = "v7" if variant in ("", "7") else variant
        variant = variant if variant.startswith("v") else f"v{variant}"
    elif arch in ("i386", "i686"):
        arch = "386"
    return Platform(os_name, arch, variant or None)


def is_attestation(descriptor: Descriptor) -> bool:
    """BuildKit stores provenance/SBOM attestations in the index as `unknown/unknown` manifests."""
    platform = descriptor.platform
    if descriptor.annotations.get("vnd.docker.reference.type") == "attestation-manifest":
        return True
    return platform is not None and platform.os == "unknown" and platform.architecture == "unknown"


def select_platform(index: Index, platform: Platform) -> Descriptor:
    """The index entry for `platform` (normalized as containerd does), skipping attestation manifests.

    When the caller gave no variant (e.g. `linux/amd64`) and no entry matches exactly, the first entry with
    the same os/arch is taken, so `linux/amd64` still finds an index that only lists `linux/amd64/v2`.
    """
    wanted = normalize_platform(platform)
    candidates = [
        (descriptor, normalize_platform(descriptor.platform))
        for descriptor in index.manifests
        if descriptor.platform is not None and not is_attestation(descriptor)
    ]
    for descriptor, found in candidates:
        if found == wanted:
            return descriptor
    if platform.variant is None:
        for descriptor, found in candidates:
            if (found.os, found.architecture) == (wanted.os, wanted.architecture):
                return descriptor
    available = ", ".join(str(d.platform) for d, _ in candidates) or "none"
    raise NotFoundError(f"no image for platform {platform} in the index; available: {available}")
