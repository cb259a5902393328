"""Small real images pushed to a real registry for the purge tests: each a config (with its `created` time) and one
layer of random bytes, so no two share a digest; indexes over them; and OCI 1.1 referrers (signatures) with the
`sha256-<hex>` tag-schema index a registry without the referrers API needs."""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime, timedelta

from regwarden.model.image import Descriptor
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.upload import put_manifest, upload_blob

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
SIGNATURE = "application/vnd.example.signature.v1"
NOW = datetime.now(UTC).replace(microsecond=0)


def days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat().replace("+00:00", "Z")


def blob(client: RegistryClient, repo: str, data: bytes, media_type: str) -> Descriptor:
    descriptor = Descriptor(media_type, compute_digest(data), len(data))
    upload_blob(client, repo, descriptor, io.BytesIO(data))
    return descriptor


def push_image(
    client: RegistryClient,
    repo: str,
    tags: tuple[str, ...] = (),
    *,
    age: float = 30,
    architecture: str = "amd64",
    layer_size: int = 256,
) -> Descriptor:
    """An image built `age` days ago (its config's `created`), under each of `tags` (untagged when none)."""
    config = json.dumps({"architecture": architecture, "os": "linux", "created": days_ago(age), "rootfs": {}})
    config_descriptor = blob(client, repo, config.encode(), OCI_CONFIG)
    layer = blob(client, repo, secrets.token_bytes(layer_size), LAYER)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": _descriptor(config_descriptor),
        "layers": [_descriptor(layer)],
    }
    return _put(client, repo, manifest, OCI_MANIFEST, tags)


def push_index(
    client: RegistryClient, repo: str, tags: tuple[str, ...], children: list[Descriptor], *, age: float | None = None
) -> Descriptor:
    entries = [
        {**_descriptor(child), "platform": {"os": "linux", "architecture": arch}}
        for child, arch in zip(children, ("amd64", "arm64", "s390x", "ppc64le"), strict=False)
    ]
    index: dict[str, object] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    if age is not None:
        index["annotations"] = {"org.opencontainers.image.created": days_ago(age)}
    return _put(client, repo, index, OCI_INDEX, tags)


def push_signature(client: RegistryClient, repo: str, subject: Descriptor) -> Descriptor:
    """An OCI 1.1 referrer of `subject`, pushed by digest and listed in the `sha256-<hex>` tag-schema index."""
    empty = blob(client, repo, b"{}", OCI_EMPTY)
    payload = blob(client, repo, secrets.token_bytes(64), SIGNATURE)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": SIGNATURE,
        "config": _descriptor(empty),
        "layers": [_descriptor(payload)],
        "subject": _descriptor(subject),
    }
    referrer = _put(client, repo, manifest, OCI_MANIFEST, ())
    _add_to_tag_schema(client, repo, subject, referrer)
    return referrer


def _add_to_tag_schema(client: RegistryClient, repo: str, subject: Descriptor, referrer: Descriptor) -> None:
    tag = subject.digest.replace(":", "-")
    try:
        entries = json.loads(client.get_manifest(repo, tag, accept=OCI_INDEX).data)["manifests"]
    except ManifestNotFoundError:
        entries = []
    entries.append({**_descriptor(referrer), "artifactType": SIGNATURE})
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    _put(client, repo, index, OCI_INDEX, (tag,))


def _put(
    client: RegistryClient, repo: str, document: dict[str, object], media_type: str, tags: tuple[str, ...]
) -> Descriptor:
    data = json.dumps(document).encode()
    digest = put_manifest(client, repo, compute_digest(data), data, media_type)
    for tag in tags:
        put_manifest(client, repo, tag, data, media_type)
    return Descriptor(media_type, digest, len(data))


def _descriptor(descriptor: Descriptor) -> dict[str, object]:
    return {"mediaType": descriptor.media_type, "digest": descriptor.digest, "size": descriptor.size}
