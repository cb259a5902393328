"""`regwarden history REPO[:TAG]`: the builds of a repository (or of one tag) in order, and what changed between
each build and the one before it. Result types only: service/history.py fills them, report/history_* render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regwarden.model.inventory import TriageDecision
from regwarden.model.sbom import LayerRef

CATALOGUED = "catalogued"
FAILED = "failed"
NOT_CATALOGUED = "not catalogued"


@dataclass(frozen=True)
class Build:
    """One build in the sequence: a digest the tag pointed at (or the repository held), and what is known of it."""

    digest: str
    """The digest the registry lists (an index digest for a multi-arch tag)."""
    status: str
    """`catalogued`, `failed` (could not be read: see `error`) or `not catalogued` (never read yet)."""
    seen_at: datetime
    """When the tag started pointing here (tag history), or when the repository was first seen holding it."""
    until: datetime | None = None
    """When the tag moved away; None while it still points here (or for a repository's builds)."""
    image_digest: str | None = None
    """The catalogued image: `digest` itself, or the platform manifest catalogued from an index."""
    platform: str | None = None
    created: str | None = None
    """The image config's `created`, as the image says it."""
    error: str | None = None
    packages: int = 0
    open_findings: int = 0
    """Open findings no triage decision covers."""


@dataclass(frozen=True)
class PackageDelta:
    """A package added, removed or changed in version between two builds (compared by type and name)."""

    kind: str
    """`added`, `removed` or `changed`."""
    type: str
    name: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    layer: LayerRef | None
    """The layer that holds it in the later build (the earlier one for a removal)."""


@dataclass(frozen=True)
class FindingDelta:
    """A vulnerability of one package that a build introduced or fixed (compared by id and package)."""

    vuln_id: str
    aliases: tuple[str, ...]
    package_type: str
    package: str
    version: str
    """The installed version: in the later build when introduced, in the earlier one when fixed."""
    severity: str
    fixed: tuple[str, ...] = ()
    triage: TriageDecision | None = None
    """The triage decision that covers it in that build, if any: such rows are shown apart, never counted."""


@dataclass(frozen=True)
class BuildStep:
    """One build, and what changed since the last readable build before it."""

    build: Build
    compared_with: str | None = None
    """The digest it was compared with: the nearest earlier catalogued build (None for the first, or unreadable)."""
    packages: tuple[PackageDelta, ...] = ()
    introduced: tuple[FindingDelta, ...] = ()
    fixed: tuple[FindingDelta, ...] = ()
    note: str | None = None
    """Why nothing was compared, when nothing was (the first build, or this build could not be read)."""

    def counted(self, deltas: tuple[FindingDelta, ...]) -> tuple[FindingDelta, ...]:
        return tuple(delta for delta in deltas if delta.triage is None)

    def triaged(self, deltas: tuple[FindingDelta, ...]) -> tuple[FindingDelta, ...]:
        return tuple(delta for delta in deltas if delta.triage is not None)


@dataclass(frozen=True)
class HistoryReport:
    registry: str
    repository: str
    tag: str | None
    """None: every build the repository held, by image creation time; else the builds the tag pointed at."""
    steps: tuple[BuildStep, ...]

    @property
    def name(self) -> str:
        base = f"{self.registry}/{self.repository}"
        return f"{base}:{self.tag}" if self.tag else base
