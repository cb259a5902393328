"""An independent model of `acr purge` (acr-cli's purge command, dry run), written plainly from its documented
behaviour to check lifecycle/acr_rules.py against: the tags it would delete, then the manifests.

Tags: every tag, newest first; one matching the expression (anywhere), last updated strictly before the cutoff and
not delete/write-locked (unless include-locked) is eligible; the first `keep` eligible tags are skipped.
Manifests (untagged): one pass over the manifests. A locked one is passed over (unless include-locked). A manifest
still tagged after the tag deletions, or with no time, or updated after the cutoff, is protected: if it is an index
(or untyped), everything it lists, recursively, is ignored. Otherwise a referrer is ignored (and what it lists), an
untyped one is ignored, and the rest are candidates. Candidates not ignored are sorted newest first (unknown times
last, ties by digest) and the first `keep` skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from regwarden.model.catalog import ManifestListing
from regwarden.model.purge import RepositoryContents, TagListing

INDEXES = {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}


@dataclass(frozen=True)
class AcrOutcome:
    tags: frozenset[tuple[str, str]]
    """(digest, tag) deleted."""
    manifests: frozenset[str]


def acr_purge(
    contents: RepositoryContents,
    tag_regex: str,
    cutoff: datetime,
    keep: int,
    untagged: bool,
    include_locked: bool,
) -> AcrOutcome:
    deleted_tags = _tags(contents.tags, re.compile(tag_regex), cutoff, keep, include_locked)
    manifests = _dangling(contents, deleted_tags, cutoff, keep, include_locked) if untagged else []
    return AcrOutcome(frozenset((t.digest, t.name) for t in deleted_tags), frozenset(manifests))


def _tags(
    tags: tuple[TagListing, ...], pattern: re.Pattern[str], cutoff: datetime, keep: int, include_locked: bool
) -> list[TagListing]:
    ordered = sorted(tags, key=lambda tag: (tag.last_updated is not None, tag.last_updated, tag.name), reverse=True)
    eligible = []
    for tag in ordered:
        if not pattern.search(tag.name) or tag.last_updated is None:
            continue
        unlocked = tag.delete_enabled is not False and tag.write_enabled is not False
        if tag.last_updated < cutoff and (include_locked or unlocked):
            eligible.append(tag)
    return eligible[keep:]


def _dangling(
    contents: RepositoryContents, deleted_tags: list[TagListing], cutoff: datetime, keep: int, include_locked: bool
) -> list[str]:
    going = Counter(tag.digest for tag in deleted_tags)
    by_digest = {m.digest: m for m in contents.manifests}
    ignore: set[str] = set()
    candidates: list[ManifestListing] = []
    for manifest in contents.manifests:
        if not include_locked and (manifest.delete_enabled is False or manifest.write_enabled is False):
            continue
        tags = [tag for tag in contents.tags if tag.digest == manifest.digest]
        updated = _time(manifest.last_updated)
        protected = len(tags) > going[manifest.digest] or updated is None or updated > cutoff
        if protected:
            if manifest.media_type in INDEXES or not manifest.media_type:
                ignore |= _everything_listed(manifest, by_digest)
            continue
        if manifest.digest in contents.subjects or not manifest.media_type:
            ignore |= {manifest.digest} | _everything_listed(manifest, by_digest)
            continue
        candidates.append(manifest)
    chosen = [m for m in candidates if m.digest not in ignore]
    chosen.sort(key=lambda m: m.digest)
    chosen.sort(key=lambda m: _time(m.last_updated) or cutoff, reverse=True)
    return [m.digest for m in chosen[keep:]]


def _everything_listed(manifest: ManifestListing, by_digest: dict[str, ManifestListing]) -> set[str]:
    found: set[str] = set()
    queue = list(manifest.references)
    while queue:
        digest = queue.pop()
        if digest not in found:
            found.add(digest)
            child = by_digest.get(digest)
            queue.extend(child.references if child is not None else ())
    return found


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
