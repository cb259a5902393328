"""One repository as a graph the rules walk: manifests by digest, tags, index → children, subject → referrers.

Built once per repository from `RepositoryContents`; every lookup the rules make is a dict access. Times are parsed
here, once: a listing time that cannot be read is None (an unknown time never makes a manifest old enough).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from regwarden.model.catalog import ManifestListing
from regwarden.model.purge import RepositoryContents, TagListing

INDEX_MEDIA_TYPES = frozenset(
    {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
)


class Node:
    """A manifest with what the rules ask of it most, read once (plans look at each many times)."""

    __slots__ = ("created", "digest", "last_updated", "listing", "locked")

    def __init__(self, listing: ManifestListing, last_updated: datetime | None, created: datetime | None) -> None:
        self.listing = listing
        self.digest = listing.digest
        self.last_updated = last_updated
        self.created = created
        self.locked = listing.delete_enabled is False or listing.write_enabled is False


class RepositoryGraph:
    def __init__(self, contents: RepositoryContents) -> None:
        self.repository = contents.repository
        self.complete = contents.complete
        self.nodes: dict[str, Node] = {m.digest: _node(m) for m in contents.manifests}
        self.tags: dict[str, TagListing] = {tag.name: tag for tag in contents.tags if tag.digest in self.nodes}
        self.tags_of: dict[str, list[str]] = {}
        for tag in self.tags.values():
            self.tags_of.setdefault(tag.digest, []).append(tag.name)
        for names in self.tags_of.values():
            if len(names) > 1:
                names.sort()
        self.children: dict[str, tuple[str, ...]] = {}
        self.parents: dict[str, list[str]] = {}
        for node in self.nodes.values():
            listed = tuple(child for child in node.listing.references if child in self.nodes)
            if listed:
                self.children[node.digest] = listed
                for child in listed:
                    self.parents.setdefault(child, []).append(node.digest)
        self.subject_of: dict[str, str] = dict(contents.subjects)
        self.referrers: dict[str, list[str]] = {}
        for referrer, subject in self.subject_of.items():
            if referrer in self.nodes:
                self.referrers.setdefault(subject, []).append(referrer)
        self.locked_tags = {tag.digest for tag in self.tags.values() if tag.locked}
        """Digests with at least one locked tag."""
        self.linked = {
            *(node.digest for node in self.nodes.values() if node.locked),
            *self.locked_tags,
            *self.children,
            *self.parents,
            *self.subject_of,
            *self.referrers,
        }
        """Digests a safety rule can hold for reasons inside the registry (locks, indexes, referrers)."""

    def descendants(self, digest: str) -> Iterator[str]:
        """Children of an index, their children (nested indexes), … each once."""
        seen: set[str] = set()
        stack = list(self.children.get(digest, ()))
        while stack:
            child = stack.pop()
            if child not in seen:
                seen.add(child)
                yield child
                stack.extend(self.children.get(child, ()))

    def referrer_closure(self, digest: str) -> Iterator[str]:
        """Referrers of a manifest, referrers of those (a signature of an SBOM), … each once."""
        seen: set[str] = set()
        stack = list(self.referrers.get(digest, ()))
        while stack:
            referrer = stack.pop()
            if referrer not in seen and referrer != digest:
                seen.add(referrer)
                yield referrer
                stack.extend(self.referrers.get(referrer, ()))

    def is_referrer(self, digest: str) -> bool:
        return digest in self.subject_of


def _node(listing: ManifestListing) -> Node:
    updated = parse_time(listing.last_updated or listing.created)
    same = listing.created is None or listing.created == listing.last_updated
    return Node(listing, updated, updated if same else parse_time(listing.created))


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 time (ACR sends 7 fractional digits; Python keeps 6), UTC when it names no zone."""
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
