"""`sync registry`: crawl a registry's repositories and tags into the inventory, and catalog every new digest.

Order per repository: list its manifests (ACR: `/acr/v1` with timestamps and untagged manifests; any other
registry: tags/list and a HEAD per tag), record locations and tag moves, then catalog each digest never catalogued
(service/catalog.py), several at a time. A re-sync with nothing new reads listings only: no manifest, config or
layer is fetched. Each digest is committed when catalogued, so an interrupted sync resumes where it stopped. An
image that cannot be read is recorded with its error and the sync goes on; a registry that cannot be listed at
all raises (exit 4/5), since nothing could be said about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError
from regwarden.model.sync import CatalogOutcome, RegistrySyncReport, TagMove
from regwarden.service.catalog import catalog_reference
from regwarden.service.images import ImageOptions

if TYPE_CHECKING:
    from regwarden.lifecycle.locks import LockRule
    from regwarden.oci.listing import RegistryListing
    from regwarden.store import Store

PendingCatalog = Callable[[str, Sequence[tuple[str, str]]], Sequence[CatalogOutcome]]
"""Catalogs a registry's new (repository, digest) pairs elsewhere (jobs on workers) instead of here; returns the
outcomes of what it catalogued before returning (none, when it only handed them on)."""

LISTING_AHEAD = 4
"""Repositories listed at once (each OCI listing also sends its HEADs several at a time)."""

# Tags cosign and the ORAS/Notation tag schema use for signatures, attestations and SBOMs: artifacts, not images.
_ARTIFACT_TAG = re.compile(r"^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$")


@dataclass(frozen=True)
class SyncOptions:
    image: ImageOptions = field(default_factory=ImageOptions)
    repository_pattern: str | None = None
    """A regular expression the whole repository name must match (like `acr purge --filter`'s repository part)."""
    since: timedelta | None = None
    """Only catalog manifests pushed or updated within this window (registries that record times: ACR)."""
    workers: int = 4
    acr: bool | None = None
    """Use ACR's metadata API (None: when the host is an ACR)."""
    locks: tuple[LockRule, ...] = ()
    """Lock every tag these rules name, and its manifest, as each repository is listed (ACR; service/locks.py)."""


class SyncProgress(Protocol):
    """What a progress bar hears about a sync."""

    def repositories(self, names: Sequence[str]) -> None:
        """The repositories to sync, once they are listed."""

    def pending(self, count: int) -> None:
        """`count` more digests to catalog."""

    def done(self, outcome: CatalogOutcome) -> None:
        """One digest catalogued, already known, or failed."""


class QuietProgress:
    """A SyncProgress that shows nothing (scripts, tests, `watch`)."""

    def repositories(self, names: Sequence[str]) -> None:
        pass

    def pending(self, count: int) -> None:
        pass

    def done(self, outcome: CatalogOutcome) -> None:
        pass


def sync_registry(
    store: Store,
    registry: str,
    options: SyncOptions,
    *,
    progress: SyncProgress | None = None,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
    listing: RegistryListing | None = None,
    catalog: PendingCatalog | None = None,
) -> RegistrySyncReport:
    """Sync one registry host (`myreg.azurecr.io`, `localhost:5000`). `listing` replaces the one made from
    `options` (tests and callers that hold a client already); `catalog` replaces cataloguing here."""
    pattern = _compile(options.repository_pattern)
    tracker = progress or QuietProgress()
    if listing is not None:
        return _sync(store, registry, listing, pattern, options, tracker, endpoints, now, catalog)
    with _connected_listing(registry, options) as opened:
        return _sync(store, registry, opened, pattern, options, tracker, endpoints, now, catalog)


def _sync(
    store: Store,
    registry: str,
    listing: RegistryListing,
    pattern: re.Pattern[str] | None,
    options: SyncOptions,
    tracker: SyncProgress,
    endpoints: Sequence[str],
    now: datetime | None,
    catalog: PendingCatalog | None = None,
) -> RegistrySyncReport:
    moment = now or datetime.now(UTC)
    names = tuple(sorted(name for name in listing.repositories() if pattern is None or pattern.fullmatch(name)))
    tracker.repositories(names)
    state = _SyncState()
    for repository, manifests in _listed(listing, names):
        _sync_repository(store, registry, repository, manifests, listing, options, state, moment)
    notes = list(state.notes)
    if options.since is not None and not listing.supports_untagged:
        notes.append(f"--since needs push times; {registry} gives none through the OCI API, so it was not applied")
    if catalog is None:
        outcomes = _catalog_all(store, registry, state.pending, options, tracker, endpoints, moment)
    else:
        outcomes = list(catalog(registry, state.pending))
    store.locations.mark_synced(registry, moment)
    return RegistrySyncReport(
        registry=registry,
        repositories=names,
        manifests=state.manifests,
        catalogued=tuple(o for o in outcomes if o.new),
        already_known=state.known + sum(1 for o in outcomes if not o.new and o.error is None),
        failed=tuple(o for o in outcomes if o.error is not None),
        skipped=tuple(state.skipped),
        tag_moves=tuple(state.moves),
        gone=tuple(state.gone),
        notes=tuple(notes),
    )


@dataclass
class _SyncState:
    manifests: int = 0
    known: int = 0
    pending: list[tuple[str, str]] = field(default_factory=list)
    queued: set[str] = field(default_factory=set)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    moves: list[TagMove] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _listed(listing: RegistryListing, names: Sequence[str]) -> Iterator[tuple[str, list[ManifestListing]]]:
    """(repository, its manifests) in order, the next few listed while one is recorded: listing waits on the
    network, recording on the database. A repository that cannot be listed raises when its turn comes, after the
    ones before it were recorded; the listings not yet started are then cancelled."""
    pool = ThreadPoolExecutor(max_workers=LISTING_AHEAD)
    try:
        yield from zip(names, pool.map(listing.manifests, names), strict=True)
    finally:
        pool.shutdown(cancel_futures=True)


def _sync_repository(
    store: Store,
    registry: str,
    repository: str,
    manifests: list[ManifestListing],
    listing: RegistryListing,
    options: SyncOptions,
    state: _SyncState,
    moment: datetime,
) -> None:
    state.manifests += len(manifests)
    kind = "acr" if listing.supports_untagged else "oci"
    repository_id = store.locations.repository_id(registry, repository, kind)
    changes = store.locations.record_listing(repository_id, manifests, complete=listing.supports_untagged, now=moment)
    state.moves += changes.moves
    state.gone += [f"{repository}@{digest}" for digest in changes.gone]
    if options.locks:
        from regwarden.service.locks import enforce_lock_rules

        state.notes += enforce_lock_rules(listing, registry, repository, manifests, options.locks)
    wanted = []
    for item in manifests:
        reason = _skip_reason(item, manifests, options, moment, listing.supports_untagged)
        if reason is None:
            wanted.append(item.digest)
        else:
            state.skipped.append((f"{repository}@{item.digest}", reason))
    statuses = store.catalog.statuses(wanted)
    for digest in wanted:
        if statuses.get(digest) == "catalogued":
            state.known += 1
        elif digest not in state.queued:  # the same digest in two repositories is read once
            state.queued.add(digest)
            state.pending.append((repository, digest))


def _skip_reason(
    item: ManifestListing,
    siblings: Sequence[ManifestListing],
    options: SyncOptions,
    moment: datetime,
    timed: bool,
) -> str | None:
    if item.tags and all(_ARTIFACT_TAG.match(tag) for tag in item.tags):
        return "a signature, attestation or SBOM artifact (cosign tag schema), not an image"
    if options.since is not None and timed:
        stamp = _moment(item.last_updated or item.created)
        if stamp is not None and stamp < moment - options.since:
            return f"last updated {stamp.isoformat()}, before --since"
    if not item.tags and any(item.digest in other.references for other in siblings):
        platform = "/".join(p for p in (item.os, item.architecture) if p)
        wanted = options.image.platform
        if platform and platform != f"{wanted.os}/{wanted.architecture}":
            return f"a {platform} manifest of an index; --platform is {wanted}"
    return None


def _catalog_all(
    store: Store,
    registry: str,
    pending: list[tuple[str, str]],
    options: SyncOptions,
    tracker: SyncProgress,
    endpoints: Sequence[str],
    moment: datetime,
) -> list[CatalogOutcome]:
    if not pending:
        return []
    tracker.pending(len(pending))

    def one(item: tuple[str, str]) -> CatalogOutcome:
        repository, digest = item
        reference = f"{registry}/{repository}@{digest}"
        outcome = catalog_reference(
            store, reference, options.image, known_digest=digest, origin="sync", endpoints=endpoints, now=moment
        )
        tracker.done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        return list(pool.map(one, pending))


@contextmanager
def _connected_listing(registry: str, options: SyncOptions) -> Iterator[RegistryListing]:
    from regwarden.oci.listing import listing_for
    from regwarden.oci.registry_source import connect

    image = options.image
    client = connect(
        registry, username=image.username, password=image.password, insecure=image.insecure, timeout=image.timeout
    )
    try:
        yield listing_for(client, acr=options.acr)
    finally:
        client.close()


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        raise BadInputError(f"--repo {pattern!r} is not a regular expression: {error}") from None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
