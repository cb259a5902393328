"""What CI sends the server: an SBOM a pipeline produced (`POST /api/v1/sboms`) or the SBOM `scan --record
--server` built (`POST /api/v1/scans`). Both are catalogued as `inventory add` and `scan --record` catalog them
locally: matched against the server's advisory store, placed under REGISTRY/REPOSITORY and tag when given.

The body is parsed before anything is written (a malformed document is a BadInputError, nothing recorded); a
digest already catalogued is not catalogued twice (its place is still recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError
from regwarden.model.sync import CatalogOutcome
from regwarden.service.catalog import ImagePlace, catalog_sbom

if TYPE_CHECKING:
    from regwarden.store import Store

MAX_SBOM_BYTES = 64 * 1024 * 1024


def ingest_sbom(
    store: Store,
    data: bytes,
    *,
    origin: str,
    repository: str | None,
    tag: str | None,
    digest: str | None,
    source: str,
    endpoints: Sequence[str] = (),
) -> CatalogOutcome:
    """Catalog the SBOM in `data` (CycloneDX JSON/XML, SPDX JSON, regwarden JSON)."""
    from regwarden.collect.sbomfile.read import read_sbom_bytes
    from regwarden.oci.reference import validate_digest

    try:
        sbom = read_sbom_bytes(data, source)
    except (ValueError, RecursionError) as error:
        raise BadInputError(f"not an SBOM regwarden reads (CycloneDX, SPDX, regwarden JSON): {error}") from None
    checked = validate_digest(digest) if digest else None
    return catalog_sbom(store, sbom, checked, source, place=_place(repository, tag), origin=origin, endpoints=endpoints)


def _place(repository: str | None, tag: str | None) -> ImagePlace | None:
    if repository is None:
        if tag is not None:
            raise BadInputError("tag needs repo=REGISTRY/REPOSITORY")
        return None
    registry, _, name = repository.partition("/")
    if not name or ("." not in registry and ":" not in registry and registry != "localhost"):
        raise BadInputError(f"repo {repository!r} must be REGISTRY/REPOSITORY, e.g. myreg.azurecr.io/shop/web")
    return ImagePlace(registry, name, tag)


def check_registry_events(data: bytes) -> tuple[int, str | None]:
    """Parse a push webhook body without acting on it: (events it holds, Event Grid's validation code or None).
    A body that is not a registry notification is a BadInputError, answered before anything is queued."""
    from regwarden.collect.registry import parse_registry_events

    parsed = parse_registry_events(data)
    return len(parsed.events), parsed.validation_code
