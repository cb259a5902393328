"""The detection seam: typed metadata, the context a detection runs in, what it finds, and the Detection type.

A detection reads `AuditEvent`s one at a time (a `Detector` holds its state for one analysis, bounded by distinct
keys and its time window, never by the input) and says what it found at the end. `Detection.detect(events,
context)` runs one detection over a whole sequence: the pure function each module is tested through; the engine
runs every detection in one pass instead. `query(config)` is the same detection in KQL, for Azure alert rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from regwarden.detect.config import LogsConfig
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

MAX_EVIDENCE = 20
"""Evidence records kept per finding (the count says how many there were in all)."""


@dataclass(frozen=True)
class Reference:
    anchor: str
    """MITRE ATT&CK (technique ids), the hardening baseline (RW-ACR rule ids)."""
    id: str


@dataclass(frozen=True)
class AlertShape:
    """How the alert rule runs the query: every `frequency`, over the last `window` (ISO 8601 in the template)."""

    frequency: timedelta = timedelta(minutes=5)
    window: timedelta = timedelta(minutes=5)
    looks_back: bool = False
    """The query reads history before the window (a baseline): the rule's query time range is widened to the
    config's baseline plus the window (`overrideQueryTimeRange`)."""


@dataclass(frozen=True)
class DetectionMeta:
    id: str
    slug: str
    title: str
    severity: Severity
    category: str
    rationale: str
    """What it catches, why it matters, and what it deliberately leaves out."""
    tables: frozenset[AuditTable]
    operations: frozenset[str] | None = None
    """Operation names it reads (compared case-insensitively); None: every operation of its tables."""
    reads_baseline: bool = False
    """Also reads the events before the analysed period (the baseline window), not only the analysed ones."""
    references: tuple[Reference, ...] = ()
    alert: AlertShape = field(default_factory=AlertShape)


@dataclass(frozen=True)
class RunningImages:
    """What runs now according to the inventory: digests, and `login-server/repository:tag` references."""

    digests: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DetectionContext:
    config: LogsConfig = field(default_factory=LogsConfig)
    analysis_start: datetime | None = None
    """Events before this moment are the baseline only; None: the baseline is the first `config.baseline` of the
    events read, and everything after it is analysed."""
    running: RunningImages | None = None
    """None: no inventory (no cluster synced), so deletions of running digests cannot be checked."""


@dataclass(frozen=True)
class Finding:
    detection: DetectionMeta
    key: str
    """What the finding is about, stable across runs (`shopacr|admin|203.0.113.7`): with the detection id and the
    first evidence time it identifies the finding in the store."""
    message: str
    first_seen: datetime
    last_seen: datetime
    count: int
    """Matching records (or operations, for activities logged once per state) in all."""
    evidence: tuple[AuditEvent, ...]
    registry: str = ""
    identity: str = ""
    caller_ip: str = ""


@dataclass(frozen=True)
class Gap:
    """Something a detection could not evaluate, with how often and an example: reported, never silently lost."""

    detection_id: str
    reason: str
    count: int
    example: str = ""


class Detector(Protocol):
    def observe(self, event: AuditEvent) -> None: ...

    def finish(self) -> tuple[list[Finding], list[Gap]]: ...


@dataclass(frozen=True)
class Detection:
    meta: DetectionMeta
    start: Callable[[DetectionContext], Detector]
    query: Callable[[LogsConfig, RunningImages | None], str | None]
    """The KQL of the alert rule; None when it cannot be written (e.g. running digests unknown)."""

    def detect(self, events: Iterable[AuditEvent], context: DetectionContext) -> tuple[list[Finding], list[Gap]]:
        """This detection over `events` (those before `context.analysis_start` count as baseline only)."""
        detector = self.start(context)
        for event in events:
            if self.wants(event) and (self.meta.reads_baseline or in_analysis(event, context)):
                detector.observe(event)
        return detector.finish()

    def wants(self, event: AuditEvent) -> bool:
        operations = self.meta.operations
        return event.table in self.meta.tables and (operations is None or event.operation.casefold() in operations)


def in_analysis(event: AuditEvent, context: DetectionContext) -> bool:
    return context.analysis_start is None or event.time >= context.analysis_start
