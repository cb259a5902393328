"""Referrer links for what a preliminary plan would delete, so that the final plan keeps referrers with their
subjects and deletes them together.

For each candidate: its own `subject`, when its media type can carry one (OCI manifests, indexes, artifacts: a
Docker manifest cannot), and its referrers, recursively (a signature of an SBOM of an image). Referrers come from the
referrers API when the registry has one (probed once), else from the tag schema (`sha256-<hex>` tags, whose index
lists them). Referrers a plain registry does not list (untagged) are added to the contents. A candidate whose links
cannot be read is reported and kept, never deleted on a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import RegwardenError
from regwarden.model.image import Descriptor
from regwarden.model.purge import RepositoryContents
from regwarden.oci import mediatypes as mt
from regwarden.oci.client import RegistryClient
from regwarden.service.purge_listing import RegistryReader

MAY_HAVE_SUBJECT = frozenset({mt.OCI_MANIFEST, mt.OCI_INDEX, mt.OCI_ARTIFACT_MANIFEST, None, ""})
MAX_ROUNDS = 8
"""Referrers of referrers followed this deep; deeper chains are not real."""


def link_referrers(
    reader: RegistryReader, contents: list[RepositoryContents], candidates: Mapping[str, set[str]]
) -> tuple[list[RepositoryContents], dict[str, str]]:
    """Contents with the subjects and referrers of `candidates` (repository → digests) added; and digest → why it
    could not be read."""
    first = next(((repo, d) for repo, digests in sorted(candidates.items()) for d in sorted(digests)), None)
    api = first is not None and has_referrers_api(reader.client, *first)
    unreadable: dict[str, str] = {}
    linked = [
        _Linker(reader, item, api, unreadable).link(candidates[item.repository])
        if candidates.get(item.repository)
        else item
        for item in contents
    ]
    return linked, unreadable


def has_referrers_api(client: RegistryClient, repository: str, digest: str) -> bool:
    """A registry with the referrers API answers 200 for any manifest it holds; one without, 404."""
    path = f"/v2/{repository}/referrers/{digest}"
    with client.send("GET", path, f"repository:{repository}:pull", headers={"Accept": mt.OCI_INDEX}) as response:
        return response.status_code == 200


class _Linker:
    def __init__(self, reader: RegistryReader, contents: RepositoryContents, api: bool, unreadable: dict[str, str]):
        self.reader = reader
        self.contents = contents
        self.api = api
        self.unreadable = unreadable
        self.repository = contents.repository
        self.known = {m.digest: m for m in contents.manifests}
        self.subjects = dict(contents.subjects)
        self.tag_digests = {tag.name: tag.digest for tag in contents.tags}

    def link(self, candidates: set[str]) -> RepositoryContents:
        with ThreadPoolExecutor(max_workers=max(1, self.reader.workers)) as pool:
            own = [d for d in sorted(candidates) if self._may_have_subject(d)]
            for digest, subject in zip(own, list(pool.map(self._subject, own)), strict=True):
                if subject is not None:
                    self.subjects[digest] = subject
            level, seen = sorted(candidates), set(candidates)
            for _ in range(MAX_ROUNDS):
                found = [
                    (d, r) for d, refs in zip(level, list(pool.map(self._referrers, level)), strict=True) for r in refs
                ]
                level = []
                for subject, referrer in found:
                    self.subjects.setdefault(referrer.digest, subject)
                    self._know(referrer)
                    if referrer.digest not in seen:
                        seen.add(referrer.digest)
                        level.append(referrer.digest)
                if not level:
                    break
        return replace(self.contents, manifests=tuple(self.known.values()), subjects=self.subjects)

    def _may_have_subject(self, digest: str) -> bool:
        listing = self.known.get(digest)
        return listing is not None and listing.media_type in MAY_HAVE_SUBJECT and digest not in self.subjects

    def _subject(self, digest: str) -> str | None:
        try:
            return self.reader.fetch(self.repository, digest).subject
        except RegwardenError as error:
            self.unreadable[digest] = f"its manifest ({error})"
            return None

    def _referrers(self, digest: str) -> list[Descriptor]:
        try:
            if self.api:
                return [found.descriptor for found in self.reader.client.referrers(self.repository, digest)]
            return list(self._tag_schema(digest))
        except RegwardenError as error:
            self.unreadable[digest] = f"its referrers ({error})"
            return []

    def _tag_schema(self, digest: str) -> Iterable[Descriptor]:
        index = self.tag_digests.get(digest.replace(":", "-", 1))
        if index is None:
            return ()
        return self.reader.fetch(self.repository, index).manifests

    def _know(self, referrer: Descriptor) -> None:
        if referrer.digest not in self.known:
            listing = ManifestListing(self.repository, referrer.digest, media_type=referrer.media_type)
            self.known[referrer.digest] = listing
