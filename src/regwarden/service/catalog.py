"""Catalog one image: its SBOM into the inventory, its new packages matched, its location and tag recorded.

Order: the registry location and tag first (cheap, and true even if the image cannot be read), then — only for a
digest never catalogued — the SBOM (one layer walk), the packages no image held before matched against the
advisory store, a scan record, and the exposures of workloads already running it (and of those running
another image that holds a package this one stored first). A digest is catalogued once,
ever: asking again records the location and returns. An unreadable image is recorded as failed with its error
(`CatalogOutcome.error`) and never raises, so a sync of many images goes on; bad arguments still raise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError, RegwardenError
from regwarden.model.image import ImageMetadata
from regwarden.model.sbom import Sbom
from regwarden.model.sync import CatalogOutcome, TagMove
from regwarden.service.images import ImageOptions, read_image

if TYPE_CHECKING:
    from regwarden.store import Store


@dataclass(frozen=True)
class ImagePlace:
    """Where an image was found: a registry host, a repository, and the tag it was pushed or listed under."""

    registry: str
    repository: str
    tag: str | None = None


def catalog_reference(
    store: Store,
    reference: str,
    options: ImageOptions,
    *,
    place: ImagePlace | None = None,
    known_digest: str | None = None,
    origin: str = "inventory add",
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
    strict: bool = False,
) -> CatalogOutcome:
    """Catalog the image `reference` names (any IMAGE form). `known_digest` skips the read when already known.

    An image that cannot be read is recorded as failed (under `known_digest`) and comes back as the outcome's
    `error`; with `strict` (one image a user asked for) its error is raised instead, with its own exit code.
    """
    moment = now or datetime.now(UTC)
    move = _record_place(store, place, known_digest, moment) if known_digest else None
    if known_digest is not None and store.catalog.statuses([known_digest]).get(known_digest) == "catalogued":
        return CatalogOutcome(reference, known_digest, False, tag_move=move)
    try:
        metadata, sbom = read_image(reference, options)
    except RegwardenError as error:
        if known_digest is not None:
            store.catalog.record_failure(known_digest, reference, str(error), moment)
        if strict:
            raise
        return CatalogOutcome(reference, known_digest, False, error=str(error), tag_move=move)
    if metadata.index_digest is not None:
        store.catalog.record_children(metadata.index_digest, [(metadata.digest, _platform(metadata))])
    if move is None:
        move = _record_place(store, place, known_digest or metadata.digest, moment)
    outcome = catalog_sbom(
        store, sbom, metadata.digest, reference, metadata, origin=origin, endpoints=endpoints, now=moment
    )
    return CatalogOutcome(reference, outcome.digest, outcome.new, outcome.packages, outcome.new_findings, tag_move=move)


def catalog_sbom(
    store: Store,
    sbom: Sbom,
    digest: str | None,
    source: str,
    metadata: ImageMetadata | None = None,
    *,
    place: ImagePlace | None = None,
    origin: str = "inventory add",
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
) -> CatalogOutcome:
    """Catalog an SBOM (read from an image, or a file a pipeline produced) under `digest`."""
    from regwarden.service.exposure import refresh_exposures
    from regwarden.service.package_matching import match_stored_packages
    from regwarden.store.catalog import CatalogEntry
    from regwarden.store.exposures import ExposureScope

    moment = now or datetime.now(UTC)
    image_digest = digest or sbom.image_digest
    if not image_digest:
        raise BadInputError(f"{source} names no image digest; pass --digest sha256:… to say which image it describes")
    move = _record_place(store, place, image_digest, moment)
    recorded = store.catalog.record_image(CatalogEntry(image_digest, source, sbom, metadata), moment)
    if not recorded.new:
        return CatalogOutcome(source, image_digest, False, len(recorded.package_ids), tag_move=move)
    changes = match_stored_packages(store, recorded.new_package_ids, moment)
    open_findings = store.impact.open_finding_count(image_digest)
    store.catalog.record_scan(image_digest, origin, open_findings, store.advisories.newest_update(), moment)
    refresh_exposures(store, ExposureScope(digests=frozenset({image_digest})), endpoints, moment)
    if changes.vulnerabilities:
        # Another image catalogued at the same time (a sync's threads, other workers) may hold a package this
        # one stored first, and have refreshed its exposures before these findings existed: refresh theirs too.
        refresh_exposures(store, ExposureScope(vuln_ids=changes.vulnerabilities), endpoints, moment)
    return CatalogOutcome(source, image_digest, True, len(sbom.packages), len(changes.new), tag_move=move)


def _record_place(store: Store, place: ImagePlace | None, digest: str, moment: datetime) -> TagMove | None:
    if place is None:
        return None
    repository_id = store.locations.repository_id(place.registry, place.repository, _registry_kind(place.registry))
    return store.locations.record_tag(repository_id, place.tag, digest, moment)


def _registry_kind(host: str) -> str:
    from regwarden.oci.acr import acr_suffix

    return "acr" if acr_suffix(host) else "oci"


def _platform(metadata: ImageMetadata) -> str | None:
    return str(metadata.platform) if metadata.platform else None
