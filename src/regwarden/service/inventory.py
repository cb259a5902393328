"""`inventory add` and `inventory list`: what a CI pipeline records after a build, and what the inventory holds.

`inventory add` takes an image (any IMAGE form) or an SBOM file a pipeline already produced; with `--repo` and
`--tag` it also records where the image was pushed, so tag history and "which build is this" work for images that
no registry sync has seen yet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError
from regwarden.model.inventory import InventoryImage
from regwarden.model.sbom import Sbom
from regwarden.model.sync import CatalogOutcome
from regwarden.service.catalog import ImagePlace, catalog_reference, catalog_sbom
from regwarden.service.images import DIR_PREFIX, ImageOptions, read_sbom

if TYPE_CHECKING:
    from regwarden.store import Store


def add_to_inventory(
    store: Store,
    target: str,
    options: ImageOptions,
    *,
    repository: str | None = None,
    tag: str | None = None,
    digest: str | None = None,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
) -> CatalogOutcome:
    """Catalog `target` (an image, or an SBOM file); `repository` is `registry/repository` where it was pushed."""
    from regwarden.oci.open import is_local_spec

    moment = now or datetime.now(UTC)
    place = _place(repository, tag, target)
    path = Path(target)
    if not is_local_spec(target) and not target.startswith(DIR_PREFIX) and path.is_file():
        sbom = read_sbom(path)
        return catalog_sbom(store, sbom, digest, str(path), place=place, endpoints=endpoints, now=moment)
    if target.startswith(DIR_PREFIX):
        raise BadInputError("a directory is not an image: catalog the image, or an SBOM of it with --digest")
    if digest is None and not is_local_spec(target):
        digest = _manifest_digest(store, target, options)  # a digest already catalogued is not read again
    return catalog_reference(
        store, target, options, place=place, known_digest=digest, endpoints=endpoints, now=moment, strict=True
    )


def _manifest_digest(store: Store, target: str, options: ImageOptions) -> str:
    """The digest of the manifest `target` resolves to (its manifest and config only, no layer), with the index it
    was selected from recorded, so that a catalogued image is recognised by either digest."""
    from regwarden.service.images import inspect_image

    metadata = inspect_image(target, options)
    if metadata.index_digest is not None:
        platform = str(metadata.platform) if metadata.platform else None
        store.catalog.record_children(metadata.index_digest, [(metadata.digest, platform)])
    return metadata.digest


def record_scanned_sbom(
    store: Store,
    sbom: Sbom,
    target: str,
    *,
    repository: str | None = None,
    tag: str | None = None,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
) -> CatalogOutcome:
    """`scan --record`: catalog the SBOM a scan just built (or read), under the image digest it names."""
    place = _place(repository, tag, target)
    return catalog_sbom(store, sbom, None, target, place=place, origin="scan --record", endpoints=endpoints, now=now)


def list_inventory(store: Store, repository_pattern: str | None = None) -> list[InventoryImage]:
    pattern = None
    if repository_pattern:
        try:
            pattern = re.compile(repository_pattern)
        except re.error as error:
            raise BadInputError(f"--repo {repository_pattern!r} is not a regular expression: {error}") from None
    return store.impact.catalogued_images(pattern)


def _place(repository: str | None, tag: str | None, target: str) -> ImagePlace | None:
    if repository is None:
        if tag is not None:
            raise BadInputError("--tag needs --repo REGISTRY/REPOSITORY")
        return _place_of_reference(target)
    registry, _, name = repository.partition("/")
    if not name or ("." not in registry and ":" not in registry and registry != "localhost"):
        raise BadInputError(f"--repo {repository!r} must be REGISTRY/REPOSITORY, e.g. myreg.azurecr.io/shop/web")
    return ImagePlace(registry, name, tag)


def _place_of_reference(target: str) -> ImagePlace | None:
    """A registry reference names its own place (`myreg.azurecr.io/web:1.4`); local archives do not."""
    from regwarden.oci.open import is_local_spec
    from regwarden.oci.reference import parse_reference

    if is_local_spec(target) or Path(target).exists():
        return None
    reference = parse_reference(target)
    return ImagePlace(reference.registry, reference.repository, reference.tag)
