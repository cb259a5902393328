"""What `promote` copies after the image: its referrers (signatures, SBOMs, attestations), digests preserved.

The promoted manifests keep their digests, so a referrer's `subject` names the same digest at the destination and
its own bytes (hence its digest, hence a signature's validity) need no change. For every manifest of the promoted
tree (the index and each platform manifest), in order:
1. each referrer the source lists (the referrers API, else its `sha256-<hex>` tag schema) is copied by digest with
   oci/copy.py, then indexed at the destination: a registry with the referrers API does that from `subject`, one
   without gets the tag-schema entry (oci/referrer_index.py);
2. cosign's `sha256-<hex>.sig` / `.att` / `.sbom` tags, when present, are copied under the same tag.
Referrers of referrers (a signature of an SBOM) follow, a bounded number of levels deep. A referrer that cannot be
read or written raises: the image is promoted, and running `promote` again completes the referrers.
"""

from __future__ import annotations

from collections.abc import Iterable

from regwarden.model.quarantine import CopiedReferrer
from regwarden.oci.client import ManifestNotFoundError, Referrer
from regwarden.oci.copy import Repository, copy_tree, read_tree
from regwarden.oci.referrer_index import add_to_tag_index, has_referrers_api
from regwarden.oci.upload import DEFAULT_CHUNK_SIZE
from regwarden.service.trust import cosign_tags

MAX_REFERRER_DEPTH = 3
"""Image → signature → a signature of that signature, and one more: deeper chains are not followed."""


def copy_referrers(
    origin: Repository, target: Repository, subjects: Iterable[str], *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> tuple[CopiedReferrer, ...]:
    """Copy the referrers of each subject digest (and theirs, up to MAX_REFERRER_DEPTH levels) to `target`."""
    copier = _ReferrerCopier(origin, target, chunk_size)
    level = list(dict.fromkeys(subjects))
    for _ in range(MAX_REFERRER_DEPTH):
        level = [copied.digest for subject in level for copied in copier.copy_all(subject)]
    return tuple(copier.copied)


class _ReferrerCopier:
    def __init__(self, origin: Repository, target: Repository, chunk_size: int) -> None:
        self.origin, self.target, self.chunk_size = origin, target, chunk_size
        self.copied: list[CopiedReferrer] = []
        self._seen: set[str] = set()
        self._target_indexes: bool | None = None
        """Whether the destination has the referrers API; asked once, at the first referrer."""

    def copy_all(self, subject: str) -> list[CopiedReferrer]:
        """The referrers and cosign tags of `subject` not copied before, copied now."""
        found = [self._copy_referrer(subject, r) for r in self.origin.client.referrers(self.origin.name, subject)]
        found += [self._copy_cosign_tag(subject, tag) for tag in cosign_tags(subject)]
        fresh = [copied for copied in found if copied is not None]
        self.copied += fresh
        return fresh

    def _copy_referrer(self, subject: str, referrer: Referrer) -> CopiedReferrer | None:
        digest = referrer.descriptor.digest
        if digest in self._seen:
            return None
        self._seen.add(digest)
        tree = read_tree(self.origin, digest)
        copy_tree(tree, self.origin, self.target, digest, chunk_size=self.chunk_size)
        if not self._destination_indexes(subject):
            add_to_tag_index(self.target.client, self.target.name, subject, referrer)
        return CopiedReferrer(subject, digest, referrer.artifact_type, "referrers")

    def _copy_cosign_tag(self, subject: str, tag: str) -> CopiedReferrer | None:
        try:
            tree = read_tree(self.origin, tag)
        except ManifestNotFoundError:
            return None
        if tree.digest in self._seen:
            return None
        self._seen.add(tree.digest)
        copy_tree(tree, self.origin, self.target, tag, chunk_size=self.chunk_size)
        layer_types = {blob.media_type for blob in tree.blobs[1:]}
        kind = layer_types.pop() if len(layer_types) == 1 else None
        return CopiedReferrer(subject, tree.digest, kind, "cosign-tag", tag)

    def _destination_indexes(self, subject: str) -> bool:
        if self._target_indexes is None:
            self._target_indexes = has_referrers_api(self.target.client, self.target.name, subject)
        return self._target_indexes
