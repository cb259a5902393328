"""What a purge reads of one repository: every manifest and tag, with times and index children.

- ACR (`/acr/v1`): manifests (untagged ones too) with their times, locks and index children, and every tag with its
  own time and locks. Nothing else is fetched.
- Any other registry: `tags/list` and a HEAD per tag. Such a registry records no times, so for each manifest some
  tag of which the rules look at (and each index) the manifest is fetched: its `org.opencontainers.image.created`
  annotation, else its image config's `created` (an index: its first platform's), stands in for the last update.
  An index's manifests are added untagged, so the planner knows what it lists. Only those are fetched: a registry
  of 10,000 tags of which the filter names 50 costs 50 manifest (and config) reads, not 10,000.
Cosign's tags (`sha256-<hex>.sig|.att|.sbom`) and the referrers tag schema (`sha256-<hex>`) name their subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from regwarden.lifecycle.graph import parse_time
from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import RegwardenError
from regwarden.model.purge import RepositoryContents, TagListing
from regwarden.oci import mediatypes as mt
from regwarden.oci.acr_listing import acr_manifests, acr_tags
from regwarden.oci.client import RegistryClient
from regwarden.oci.json_fields import load_json
from regwarden.oci.listing import crawl_oci
from regwarden.oci.manifest import is_attestation
from regwarden.oci.manifest_links import ManifestLinks, read_links

SUBJECT_TAG = re.compile(r"^sha256-([0-9a-f]{64})(?:\.(?:sig|att|sbom))?$")
ACCEPT = ", ".join((mt.MANIFEST_ACCEPT, mt.OCI_ARTIFACT_MANIFEST))
MAX_CONFIG_BYTES = 4 * 1024 * 1024


@dataclass
class RegistryReader:
    """Reads repositories for a purge through one client; keeps the manifests it fetched for later steps."""

    client: RegistryClient
    acr: bool
    workers: int = 8
    links: dict[tuple[str, str], ManifestLinks] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def repositories(self) -> list[str]:
        from regwarden.oci.acr_listing import acr_repositories

        return acr_repositories(self.client) if self.acr else self.client.catalog()

    def contents(self, repository: str, wants_time: Callable[[str], bool]) -> RepositoryContents:
        """`wants_time(tag)`: the rules look at this tag, so its manifest's time matters."""
        if self.acr:
            return self._acr(repository)
        return self._oci(repository, wants_time)

    def fetch(self, repository: str, digest: str) -> ManifestLinks:
        """A manifest's links, fetched once (verified against its digest)."""
        key = (repository, digest)
        if key not in self.links:
            fetched = self.client.get_manifest(repository, digest, accept=ACCEPT)
            self.links[key] = read_links(fetched.data, fetched.media_type)
        return self.links[key]

    def _acr(self, repository: str) -> RepositoryContents:
        manifests = tuple(acr_manifests(self.client, repository))
        tags = tuple(
            TagListing(t.name, t.digest, parse_time(t.last_updated), t.delete_enabled, t.write_enabled)
            for t in acr_tags(self.client, repository)
        )
        return RepositoryContents(repository, manifests, tags, True, subject_tags(tags))

    def _oci(self, repository: str, wants_time: Callable[[str], bool]) -> RepositoryContents:
        listed = crawl_oci(self.client, repository, workers=self.workers)
        timed = [m for m in listed if any(wants_time(tag) for tag in m.tags) or m.media_type in mt.INDEX_MEDIA_TYPES]
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            created = list(pool.map(lambda m: self._created(repository, m), timed))
        found = dict(zip((m.digest for m in timed), created, strict=True))
        manifests = [replace(m, created=found.get(m.digest), last_updated=found.get(m.digest)) for m in listed]
        manifests += self._children(repository, manifests)
        times = {m.digest: parse_time(m.last_updated) for m in manifests}
        tags = tuple(TagListing(tag, m.digest, times[m.digest]) for m in manifests for tag in m.tags)
        return RepositoryContents(repository, tuple(manifests), tags, False, subject_tags(tags))

    def _created(self, repository: str, manifest: ManifestListing) -> str | None:
        try:
            return self._time_of(repository, manifest.digest, 0)
        except RegwardenError as error:
            self.notes.append(f"{repository}@{manifest.digest}: no time could be read ({error}); it is kept")
            return None

    def _time_of(self, repository: str, digest: str, depth: int) -> str | None:
        links = self.fetch(repository, digest)
        if links.created or depth > 1:
            return links.created
        if links.is_index:
            platforms = [d for d in links.manifests if not is_attestation(d)]
            return self._time_of(repository, platforms[0].digest, depth + 1) if platforms else None
        config = links.config
        if config is None or config.media_type not in mt.CONFIG_MEDIA_TYPES or config.size > MAX_CONFIG_BYTES:
            return None
        body = load_json(self.client.get_blob(repository, config), "image config")
        created = body.get("created") if isinstance(body, dict) else None
        return created if isinstance(created, str) and parse_time(created) is not None else None

    def _children(self, repository: str, manifests: list[ManifestListing]) -> list[ManifestListing]:
        """Untagged listings for what fetched indexes list (a plain registry does not list them)."""
        known = {m.digest for m in manifests}
        added: list[ManifestListing] = []
        for index, manifest in enumerate(manifests):
            links = self.links.get((repository, manifest.digest))
            if links is None or not links.manifests:
                continue
            manifests[index] = replace(manifest, references=tuple(d.digest for d in links.manifests))
            for child in links.manifests:
                if child.digest not in known:
                    known.add(child.digest)
                    added.append(ManifestListing(repository, child.digest, media_type=child.media_type))
        return added


def subject_tags(tags: tuple[TagListing, ...]) -> dict[str, str]:
    """Referrer digest → subject, from tags that name their subject (cosign, the referrers tag schema)."""
    found: dict[str, str] = {}
    for tag in tags:
        named = SUBJECT_TAG.match(tag.name)
        if named is not None and f"sha256:{named.group(1)}" != tag.digest:
            found[tag.digest] = f"sha256:{named.group(1)}"
    return found
