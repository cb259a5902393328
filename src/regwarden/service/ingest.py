"""`ingest-event`: registry push notifications into the inventory (ACR webhooks, Event Grid, CNCF distribution).

A push of a manifest catalogs the pushed digest under its repository and tag (service/catalog.py); a delete ends
the tag or the location it names; other actions (pull, mount, blob pushes, chart pushes) are reported as ignored,
with why. The web server (Step 9) calls `ingest_events` with the request body; the CLI with a file or stdin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.model.catalog import RegistryEvent
from regwarden.model.sync import CatalogOutcome
from regwarden.service.catalog import ImagePlace, catalog_reference
from regwarden.service.images import ImageOptions

if TYPE_CHECKING:
    from regwarden.store import Store

_CATALOGUED_ACTIONS = frozenset({"push"})


@dataclass(frozen=True)
class IngestReport:
    catalogued: tuple[CatalogOutcome, ...]
    deleted: tuple[str, ...]
    """`registry/repository@digest` or `…:tag` ends recorded from delete events."""
    ignored: tuple[tuple[str, str], ...]
    """(event, why) of events that change nothing in the inventory."""
    skipped: tuple[str, ...]
    """Events the parser could not use, with its reason."""
    validation_code: str | None = None
    """An Event Grid subscription handshake: answer `{"validationResponse": code}`."""


def ingest_events(
    store: Store,
    data: bytes,
    options: ImageOptions,
    *,
    registry: str | None = None,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
) -> IngestReport:
    from regwarden.collect.registry import parse_registry_events

    moment = now or datetime.now(UTC)
    parsed = parse_registry_events(data, registry=registry)
    catalogued: list[CatalogOutcome] = []
    deleted: list[str] = []
    ignored: list[tuple[str, str]] = []
    for event in parsed.events:
        label = _label(event)
        if event.kind == "blob":
            ignored.append((label, "a blob event: images are catalogued from their manifest pushes"))
        elif event.action in _CATALOGUED_ACTIONS and event.digest:
            catalogued.append(_catalog(store, event, options, endpoints, moment))
        elif event.action == "delete":
            deleted.append(_delete(store, event, moment))
        else:
            ignored.append((label, f"`{event.action}` does not change what the registry holds"))
    return IngestReport(tuple(catalogued), tuple(deleted), tuple(ignored), parsed.skipped, parsed.validation_code)


def _catalog(
    store: Store, event: RegistryEvent, options: ImageOptions, endpoints: Sequence[str], moment: datetime
) -> CatalogOutcome:
    place = ImagePlace(event.registry, event.repository, event.tag)
    reference = f"{event.registry}/{event.repository}@{event.digest}"
    return catalog_reference(
        store,
        reference,
        options,
        place=place,
        known_digest=event.digest,
        origin="event",
        endpoints=endpoints,
        now=moment,
    )


def _delete(store: Store, event: RegistryEvent, moment: datetime) -> str:
    repository_id = store.locations.repository_id(event.registry, event.repository)
    store.locations.record_deletion(repository_id, digest=event.digest, tag=event.tag, now=moment)
    return _label(event)


def _label(event: RegistryEvent) -> str:
    name = f"{event.registry}/{event.repository}"
    if event.tag and event.digest:
        return f"{event.action} {name}:{event.tag}@{event.digest}"
    return f"{event.action} {name}{':' + event.tag if event.tag else ''}{'@' + event.digest if event.digest else ''}"
