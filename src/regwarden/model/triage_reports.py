"""What `triage`, `triage list` and `triage export` answer. Result types only: service/triage.py fills them and
report/triage_* render them (the OpenVEX vocabulary lives in report/triage_openvex.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regwarden.model.inventory import TriageDecision

ACTIVE = "active"
EXPIRED = "expired"
SUPERSEDED = "superseded"


@dataclass(frozen=True)
class TriageOutcome:
    """`regwarden triage ID …`: the decisions written (one per finding id and target) and what they changed."""

    decisions: tuple[TriageDecision, ...]
    covered: int
    """Image × package rows of the vulnerability that the new decisions now cover."""
    images: int
    """Distinct images among them."""
    exposures_closed: int
    exposures_opened: int
    events: int


@dataclass(frozen=True)
class TriageEntry:
    decision: TriageDecision
    status: str
    """`active`, `expired` (past its date) or `superseded` (a newer decision for the same target says otherwise)."""


@dataclass(frozen=True)
class TriageListing:
    query: str | None
    entries: tuple[TriageEntry, ...]
    """Every decision, history included, oldest first."""


@dataclass(frozen=True)
class VexProductRef:
    """A product of an exported statement: a purl, narrowed to some packages inside it when `subcomponents`."""

    purl: str
    subcomponents: tuple[str, ...] = ()


@dataclass(frozen=True)
class TriageStatement:
    decision: TriageDecision
    aliases: tuple[str, ...]
    products: tuple[VexProductRef, ...]


@dataclass(frozen=True)
class TriageExport:
    """The active decisions as VEX statements, and those that could not be expressed (with why)."""

    author: str
    timestamp: datetime
    tool: str
    statements: tuple[TriageStatement, ...]
    skipped: tuple[tuple[TriageDecision, str], ...] = ()
