"""Purge and retention plans: what a registry holds (as the planner sees it), what to delete, and why each kept
manifest stays. Plans are computed by lifecycle/plan.py, shown by report/purge_*.py, applied by lifecycle/apply.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from regwarden.model.catalog import ManifestListing

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class TagListing:
    """One tag with its own update time and locks (ACR keeps both per tag; elsewhere the manifest's stand in)."""

    name: str
    digest: str
    last_updated: datetime | None = None
    delete_enabled: bool | None = None
    write_enabled: bool | None = None

    @property
    def locked(self) -> bool:
        return self.delete_enabled is False or self.write_enabled is False


@dataclass(frozen=True)
class RepositoryContents:
    """One repository as the planner sees it: its manifests (times and index children filled in), every tag, and
    the referrer links the service found."""

    repository: str
    manifests: tuple[ManifestListing, ...]
    tags: tuple[TagListing, ...]
    complete: bool
    """True when untagged manifests are listed (ACR); a plain OCI registry lists tags only."""
    subjects: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    """referrer digest → the digest it refers to (signatures, SBOMs, attestations)."""


@dataclass(frozen=True)
class PurgeCriteria:
    """`acr purge`'s flags, with its meaning for each."""

    filters: tuple[str, ...]
    """`REPO_REGEX:TAG_REGEX`; the repository part must match the whole name, the tag part anywhere in a tag."""
    ago: timedelta
    keep: int = 0
    untagged: bool = False
    include_locked: bool = False


@dataclass(frozen=True)
class Protections:
    """What must never be deleted whatever the rules say, with the evidence for each digest."""

    running: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """digest → the workloads running it (`cluster/namespace/Kind/name`)."""
    pulled: Mapping[str, datetime] = field(default_factory=dict)
    """digest → its last pull within --pulled-within."""
    unreadable: Mapping[str, str] = field(default_factory=dict)
    """digest → why what it links to (subject, referrers) could not be read: kept rather than guessed about."""


class ActionKind(StrEnum):
    DELETE = "delete"
    """The manifest goes, with every tag on it."""
    UNTAG = "untag"
    """Only these tags go; the manifest stays."""


class KeepKind(StrEnum):
    RUNNING = "running"
    PULLED = "pulled"
    LOCKED = "locked"
    INDEX_CHILD = "index-child"
    SUBJECT_KEPT = "subject-kept"
    REFERRER_PROTECTED = "referrer-protected"
    NO_TIME = "no-time"
    KEEP = "keep"
    RECENT = "recent"
    TAGGED = "tagged"
    UNTAGGED_LEFT = "untagged-left"
    MEDIA_TYPE = "media-type"
    RETAINED = "retained"
    SUBJECT_MISSING = "subject-missing"
    UNREADABLE = "unreadable"


SAFETY_KINDS = frozenset(
    {
        KeepKind.RUNNING,
        KeepKind.PULLED,
        KeepKind.LOCKED,
        KeepKind.INDEX_CHILD,
        KeepKind.SUBJECT_KEPT,
        KeepKind.REFERRER_PROTECTED,
        KeepKind.UNREADABLE,
    }
)
"""Reasons that hold back what the rules alone would delete: what `acr purge` would not have checked."""


@dataclass(frozen=True)
class KeepReason:
    kind: KeepKind
    detail: str


@dataclass(frozen=True)
class PurgeAction:
    kind: ActionKind
    repository: str
    digest: str
    tags: tuple[str, ...]
    """DELETE: every tag the manifest had; UNTAG: the tags removed."""
    reasons: tuple[str, ...]
    media_type: str | None = None
    unlock: bool = False
    """Locked, and --include-locked: unlock first (as `acr purge` does)."""
    goes_with: str | None = None
    """For a referrer: the subject digest it is deleted with."""
    wave: int = 0
    """Apply order: lower waves first (referrers before their subject, an index before its children)."""
    after: tuple[str, ...] = ()
    """Digests this plan deletes that must be gone first (its referrers, the indexes listing it): when one of them
    could not be deleted, this action is skipped."""


@dataclass(frozen=True)
class KeptManifest:
    repository: str
    digest: str
    tags: tuple[str, ...]
    reasons: tuple[KeepReason, ...]
    held: bool = False
    """The rules selected it (or some of its tags), and a safety reason held it back."""


@dataclass(frozen=True)
class PurgePlan:
    registry: str
    mode: str
    """`filter` (acr purge's flags) or `policy` (a retention policy file)."""
    criteria: tuple[tuple[str, str], ...]
    generated_at: datetime
    repositories: tuple[str, ...]
    actions: tuple[PurgeAction, ...]
    kept: tuple[KeptManifest, ...]
    notes: tuple[str, ...] = ()
    """What could not be checked (no cluster synced, no pull logs, no times), and other remarks."""

    @property
    def deletions(self) -> tuple[PurgeAction, ...]:
        return tuple(action for action in self.actions if action.kind is ActionKind.DELETE)

    @property
    def untags(self) -> tuple[PurgeAction, ...]:
        return tuple(action for action in self.actions if action.kind is ActionKind.UNTAG)


class Outcome(StrEnum):
    DELETED = "deleted"
    UNTAGGED = "untagged"
    ALREADY_GONE = "already-gone"
    """The registry no longer had it (an interrupted run deleted it, or someone else did)."""
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not attempted: something it must follow could not be deleted."""


@dataclass(frozen=True)
class ActionResult:
    action: PurgeAction
    outcome: Outcome
    detail: str = ""
    archived: str | None = None
    """Where the manifest was archived (`DIR/repository`), when --archive was given."""


@dataclass(frozen=True)
class ApplyReport:
    plan: PurgePlan
    results: tuple[ActionResult, ...]
    journal: str
    run_id: str
    resumed: str | None = None
    """The run this one completed, when an interrupted --apply was resumed."""
    seconds: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    def count_failed(self) -> int:
        """Actions not done: failed, or skipped because something they follow failed."""
        return self.count(Outcome.FAILED) + self.count(Outcome.SKIPPED)
