"""The registry-listing seam: what manifests a registry holds, one repository at a time, without their content.

`RegistryListing` is what the inventory sync calls. Two implementations, listed in `LISTINGS`:
- `AcrListing` reads ACR's metadata API (`acr_listing.py`): every manifest, untagged ones included, with size,
  times, platform, locks and quarantine state.
- `OciListing` works with any OCI registry: `tags/list` plus one HEAD per tag gives each tag's digest and media
  type, grouped by digest (`crawl_oci`). Untagged manifests cannot be seen that way, so `supports_untagged` is
  False and a sync must not conclude that a manifest missing from the listing was deleted.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from regwarden.model.catalog import ManifestListing
from regwarden.model.image import Descriptor
from regwarden.oci.acr import acr_suffix
from regwarden.oci.acr_listing import acr_manifests, acr_repositories
from regwarden.oci.client import ManifestNotFoundError, RegistryClient

DEFAULT_HEAD_WORKERS = 8
"""HEAD requests in flight at once while crawling tags: enough to hide latency, few enough to stay polite."""


class RegistryListing(Protocol):
    """Lists a registry's repositories and the manifests in each."""

    supports_untagged: bool
    """True when `manifests()` includes untagged manifests (so absence from the listing means deleted)."""

    def repositories(self) -> list[str]:
        """Every repository name the credentials may list."""
        ...

    def manifests(self, repo: str) -> list[ManifestListing]:
        """The manifests of `repo`, one listing per digest with all its tags."""
        ...


class AcrListing:
    """`RegistryListing` over ACR's `/acr/v1` metadata API."""

    supports_untagged = True

    def __init__(self, client: RegistryClient, *, page_size: int | None = None) -> None:
        self.client = client
        self.page_size = page_size

    def repositories(self) -> list[str]:
        return acr_repositories(self.client, page_size=self.page_size)

    def manifests(self, repo: str) -> list[ManifestListing]:
        return acr_manifests(self.client, repo, page_size=self.page_size)


class OciListing:
    """`RegistryListing` for any OCI registry: `/v2/_catalog`, `tags/list` and a HEAD per tag."""

    supports_untagged = False

    def __init__(self, client: RegistryClient, *, workers: int = DEFAULT_HEAD_WORKERS) -> None:
        self.client = client
        self.workers = workers

    def repositories(self) -> list[str]:
        return self.client.catalog()

    def manifests(self, repo: str) -> list[ManifestListing]:
        return crawl_oci(self.client, repo, workers=self.workers)


LISTINGS = (AcrListing, OciListing)


def listing_for(client: RegistryClient, *, acr: bool | None = None) -> RegistryListing:
    """ACR's listing for an ACR host (`*.azurecr.io` and the sovereign clouds), else the generic one.

    `acr` overrides the guess from the host name (an ACR behind a custom domain or a port-forward)."""
    is_acr = acr_suffix(client.registry) is not None if acr is None else acr
    return AcrListing(client) if is_acr else OciListing(client)


def crawl_oci(client: RegistryClient, repo: str, *, workers: int = DEFAULT_HEAD_WORKERS) -> list[ManifestListing]:
    """Every tagged manifest of `repo`: tags/list, one HEAD per tag, tags grouped by the digest they point at.

    Listings come in the order their first tag was listed, each with its tags sorted. Only the digest and media
    type are known; size, times and platform stay None. A tag deleted between the listing and its HEAD is left
    out, as the registry no longer has it.
    """
    tags = client.list_tags(repo)
    if not tags:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(tags)))) as pool:
        heads = list(pool.map(lambda tag: _head_or_none(client, repo, tag), tags))
    grouped: dict[str, tuple[str, list[str]]] = {}
    for tag, head in zip(tags, heads, strict=True):
        if head is not None:
            grouped.setdefault(head.digest, (head.media_type, []))[1].append(tag)
    return [
        ManifestListing(repository=repo, digest=digest, tags=tuple(sorted(names)), media_type=media_type or None)
        for digest, (media_type, names) in grouped.items()
    ]


def _head_or_none(client: RegistryClient, repo: str, tag: str) -> Descriptor | None:
    try:
        return client.head_manifest(repo, tag)
    except ManifestNotFoundError:
        return None
