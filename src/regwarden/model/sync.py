"""What syncing registries and clusters into the inventory did: result types the reports render."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TagMove:
    repository: str
    """`registry/repository`."""
    tag: str
    before: str | None
    """The digest the tag pointed at; None for a new tag."""
    after: str | None
    """The digest it points at now; None when the tag was deleted."""


@dataclass(frozen=True)
class CatalogOutcome:
    reference: str
    digest: str | None
    new: bool
    """True when this call catalogued the digest (False: it already was, or it failed)."""
    packages: int = 0
    new_findings: int = 0
    error: str | None = None
    tag_move: TagMove | None = None


@dataclass(frozen=True)
class RegistrySyncReport:
    registry: str
    repositories: tuple[str, ...]
    manifests: int
    catalogued: tuple[CatalogOutcome, ...]
    already_known: int
    failed: tuple[CatalogOutcome, ...]
    skipped: tuple[tuple[str, str], ...]
    """(repository@digest, why) of manifests not catalogued on purpose: outside --since, artifacts, platforms."""
    tag_moves: tuple[TagMove, ...]
    gone: tuple[str, ...]
    """`repository@digest` no longer listed by a registry that lists every manifest."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterSyncReport:
    cluster: str
    source: str
    workloads: int
    production: int
    started: int
    stopped: int
    gaps: tuple[tuple[str, str], ...]
    catalogued: tuple[CatalogOutcome, ...]
    """Running digests the inventory lacked, catalogued now (or failed, with the error)."""
    without_digest: tuple[tuple[str, str], ...]
    """(workload, why) for containers whose running digest is not known."""
    exposures_opened: int
    exposures_closed: int
    events: int
