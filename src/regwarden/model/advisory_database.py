"""What the advisory database answers: its state per ecosystem, and the results of updating and importing it.

The store and the service produce these; the `db` formats (report/db_report.py) render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from regwarden.model.errors import RegwardenError

UpdateMode = Literal["full", "incremental", "unchanged"]


@dataclass(frozen=True)
class RejectedRecord:
    """An OSV record that was not stored, and why; reported, never dropped silently."""

    id: str
    """The record's id as its source named it (file or member name when the JSON itself was unreadable)."""
    reason: str


@dataclass(frozen=True)
class EcosystemStatus:
    ecosystem: str
    advisories: int
    last_updated: datetime | None
    source: str | None
    watermark: str | None = None
    """Newest `modified` of the last complete export; None means the next update downloads everything."""


@dataclass(frozen=True)
class DatabaseStatus:
    url: str
    ecosystems: tuple[EcosystemStatus, ...]
    age: timedelta | None
    """Age of the stalest ecosystem (see store.database_age)."""


@dataclass(frozen=True)
class RematchReport:
    """What re-matching the inventory against changed advisories did (service/rematch.py)."""

    advisories: int
    """Changed or removed advisories considered."""
    packages: int
    """Distinct stored packages re-matched."""
    new_findings: int
    resolved_findings: int
    images: int
    """Catalogued images holding a new or resolved finding."""
    exposures_opened: int
    exposures_closed: int
    events: int


@dataclass(frozen=True)
class EcosystemUpdate:
    ecosystem: str
    mode: UpdateMode
    written: int
    rejected: tuple[RejectedRecord, ...]
    source: str
    changed: tuple[str, ...] = ()
    """Advisory ids that are new or changed in this update."""
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateReport:
    updated: tuple[EcosystemUpdate, ...]
    failed: tuple[tuple[str, RegwardenError], ...]
    rematch: RematchReport | None = None
    """What the changed advisories did to the inventory (None when nothing changed)."""


@dataclass(frozen=True)
class ImportReport:
    source: str
    written: int
    rejected: tuple[RejectedRecord, ...]
    kept_newer: tuple[str, ...]
    """Records left out because the database already holds a newer version of them."""
    ecosystems: tuple[str, ...]
    changed: tuple[str, ...] = ()
    """Advisory ids that are new or changed."""
    rematch: RematchReport | None = None
