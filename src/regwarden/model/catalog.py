"""What a registry holds, as its listings and push notifications describe it (no layer content)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ManifestListing:
    """One manifest of one repository, as a registry listing describes it.

    ACR's `/acr/v1/{repo}/_manifests` gives every field, untagged manifests included; a plain OCI registry gives
    only what `tags/list` plus a HEAD per tag can tell (digest, media type, tags), the rest stays None.
    """

    repository: str
    digest: str
    tags: tuple[str, ...] = ()
    media_type: str | None = None
    created: str | None = None
    """RFC 3339 push time, when the registry records it."""
    last_updated: str | None = None
    size: int | None = None
    architecture: str | None = None
    os: str | None = None
    references: tuple[str, ...] = ()
    """Child manifest digests of an index (ACR lists them with the index)."""
    delete_enabled: bool | None = None
    write_enabled: bool | None = None
    read_enabled: bool | None = None
    """ACR `readEnabled`: False means pulls of this manifest are refused."""
    list_enabled: bool | None = None
    """ACR `listEnabled`: False keeps the manifest out of the registry's listing operations."""
    quarantine_state: str | None = None


@dataclass(frozen=True)
class RegistryEvent:
    """One push or delete announced by a registry webhook (ACR, Event Grid, CNCF distribution notifications)."""

    action: str
    """`push`, `delete`, `chart_push`, … lower case, as the sender names it."""
    registry: str
    """Host (and port) of the registry the event came from."""
    repository: str
    digest: str | None
    tag: str | None = None
    media_type: str | None = None
    size: int | None = None
    timestamp: str | None = None
    event_id: str | None = None
    source_format: str = ""
    """`acr-webhook`, `event-grid`, `cloudevents`, `distribution`."""
    kind: str | None = None
    """`manifest` or `blob` (distribution also announces layer and config blobs); None when the sender does not
    say (distribution's deletes carry only a digest or only a tag)."""
