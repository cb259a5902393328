"""What a manifest links to, read tolerantly from its JSON: the manifests an index lists, the `subject` a referrer
names, the config blob, the layers, and a creation time from its annotations.

Purge needs these for every kind of manifest a registry holds (images, indexes, signatures, SBOMs, OCI artifacts
with any config type), where `oci.manifest` parses only the image manifests and indexes regwarden can scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.oci import mediatypes as mt
from regwarden.oci.json_fields import load_json, parse_descriptor, require_object

CREATED_ANNOTATION = "org.opencontainers.image.created"
MAX_LISTED = 10_000
"""Descriptors read from one manifest: far more than any real index, few enough to bound a hostile one."""


@dataclass(frozen=True)
class ManifestLinks:
    media_type: str
    manifests: tuple[Descriptor, ...] = ()
    """What an index lists (platform manifests, nested indexes, attestations)."""
    subject: str | None = None
    config: Descriptor | None = None
    layers: tuple[Descriptor, ...] = ()
    created: str | None = None
    """`org.opencontainers.image.created`, when annotated."""

    @property
    def is_index(self) -> bool:
        return self.media_type in mt.INDEX_MEDIA_TYPES or bool(self.manifests)

    @property
    def blobs(self) -> tuple[Descriptor, ...]:
        """The blobs the manifest needs (config, then layers; an index has none of its own)."""
        return (self.config, *self.layers) if self.config is not None else self.layers


def read_links(data: bytes, declared_media_type: str | None) -> ManifestLinks:
    body = require_object(load_json(data, "manifest"), "manifest")
    own = body.get("mediaType")
    media_type = (declared_media_type or "").split(";")[0].strip() or (own if isinstance(own, str) else "")
    if not media_type:
        media_type = mt.OCI_INDEX if "manifests" in body else mt.OCI_MANIFEST
    subject = body.get("subject")
    config = body.get("config")
    annotations = body.get("annotations")
    created = annotations.get(CREATED_ANNOTATION) if isinstance(annotations, dict) else None
    return ManifestLinks(
        media_type=media_type,
        manifests=_descriptors(body.get("manifests"), "manifests"),
        subject=None if subject is None else parse_descriptor(subject, "manifest subject").digest,
        config=None if config is None else parse_descriptor(config, "manifest config"),
        layers=_descriptors(body.get("layers") or body.get("blobs"), "layers"),
        created=created if isinstance(created, str) else None,
    )


def _descriptors(value: object, what: str) -> tuple[Descriptor, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInputError(f"manifest `{what}` must be a list")
    if len(value) > MAX_LISTED:
        raise BadInputError(f"manifest `{what}` lists {len(value)} entries, more than {MAX_LISTED}")
    return tuple(parse_descriptor(item, f"manifest {what}[{n}]") for n, item in enumerate(value))
