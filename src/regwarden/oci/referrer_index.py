"""Indexing a pushed referrer where a registry does not do it itself: the OCI distribution spec's fallback.

A registry with the referrers API indexes a manifest by its `subject` when it is pushed. One without it (the
endpoint answers 404) relies on the client: the referrer is added to the image index tagged `sha256-<hex>` of
its subject, keeping what that index already lists. Two clients updating the index at the same moment can lose
one entry (the fallback has no lock); pushing again restores it.
"""

from __future__ import annotations

import json
from typing import Any

from regwarden.oci import mediatypes
from regwarden.oci.client import ManifestNotFoundError, Referrer, RegistryClient
from regwarden.oci.reference import validate_digest, validate_repository
from regwarden.oci.upload import push_scope, put_manifest


def has_referrers_api(client: RegistryClient, repo: str, digest: str) -> bool:
    """The distribution spec's test: the referrers endpoint answers 404 on a registry without the API."""
    path = f"/v2/{validate_repository(repo)}/referrers/{validate_digest(digest)}"
    with client.send("GET", path, push_scope(repo)) as response:
        return response.status_code == 200


def tag_schema_tag(subject_digest: str) -> str:
    algorithm, _, hex_digest = subject_digest.partition(":")
    return f"{algorithm}-{hex_digest}"


def add_to_tag_index(client: RegistryClient, repo: str, subject_digest: str, referrer: Referrer) -> None:
    """Add `referrer` to the `sha256-<hex>` index of its subject (created when absent); other entries are kept."""
    tag = tag_schema_tag(subject_digest)
    try:
        existing = json.loads(client.get_manifest(repo, tag, accept=mediatypes.OCI_INDEX).data)
    except ManifestNotFoundError:
        existing = {}
    kept = [e for e in existing.get("manifests", []) if e.get("digest") != referrer.descriptor.digest]
    index = {"schemaVersion": 2, "mediaType": mediatypes.OCI_INDEX, "manifests": [*kept, _entry(referrer)]}
    put_manifest(client, repo, tag, json.dumps(index, separators=(",", ":")).encode(), mediatypes.OCI_INDEX)


def _entry(referrer: Referrer) -> dict[str, Any]:
    descriptor = referrer.descriptor
    entry: dict[str, Any] = {"mediaType": descriptor.media_type, "digest": descriptor.digest, "size": descriptor.size}
    if referrer.artifact_type:
        entry["artifactType"] = referrer.artifact_type
    if descriptor.annotations:
        entry["annotations"] = dict(descriptor.annotations)
    return entry
