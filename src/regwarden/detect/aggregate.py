"""A detector for detections that judge one record at a time: hits with the same key become one finding.

`match(event, context)` answers a `Hit` (this record is a finding about `key`), an `Unknown` (this record could
not be judged, and why), or None. Hits are folded per key (first and last time, how many, the first evidence
records), so a pipeline that uses the admin account all day is one finding, not thousands. Activity Log records
are counted per operation (correlation id): one operation logs Started and Succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import (
    MAX_EVIDENCE,
    Detection,
    DetectionContext,
    DetectionMeta,
    Finding,
    Gap,
    RunningImages,
)
from regwarden.model.audit import AuditEvent


@dataclass(frozen=True)
class Hit:
    key: str
    message: str
    registry: str = ""
    identity: str = ""
    caller_ip: str = ""


@dataclass(frozen=True)
class Unknown:
    reason: str


Match = Callable[[AuditEvent, DetectionContext], Hit | Unknown | None]


@dataclass(slots=True)
class _Folded:
    hit: Hit
    first: datetime
    last: datetime
    evidence: list[AuditEvent]
    operations: set[str] = field(default_factory=set)
    count: int = 0


class PerEventDetector:
    def __init__(self, meta: DetectionMeta, match: Match, context: DetectionContext) -> None:
        self._meta, self._match, self._context = meta, match, context
        self._found: dict[str, _Folded] = {}
        self._unknown: dict[str, tuple[int, str]] = {}

    def observe(self, event: AuditEvent) -> None:
        outcome = self._match(event, self._context)
        if outcome is None:
            return
        if isinstance(outcome, Unknown):
            seen, example = self._unknown.get(outcome.reason, (0, event.origin))
            self._unknown[outcome.reason] = (seen + 1, example)
            return
        folded = self._found.get(outcome.key)
        if folded is None:
            folded = self._found[outcome.key] = _Folded(outcome, event.time, event.time, [])
        folded.first, folded.last = min(folded.first, event.time), max(folded.last, event.time)
        if len(folded.evidence) < MAX_EVIDENCE:
            folded.evidence.append(event)
        operation = event.correlation_id
        if not operation or operation not in folded.operations:
            folded.count += 1
            if operation and len(folded.operations) < 10_000:
                folded.operations.add(operation)

    def finish(self) -> tuple[list[Finding], list[Gap]]:
        findings = [self._finding(key, folded) for key, folded in self._found.items()]
        gaps = [Gap(self._meta.id, reason, seen, example) for reason, (seen, example) in self._unknown.items()]
        return findings, gaps

    def _finding(self, key: str, folded: _Folded) -> Finding:
        hit = folded.hit
        message = hit.message
        if folded.count > 1:
            message += f" ({folded.count} times, the last at {folded.last:%Y-%m-%d %H:%M:%S} UTC)"
        evidence = tuple(sorted(folded.evidence, key=lambda e: e.time))
        return Finding(
            self._meta,
            key,
            message,
            folded.first,
            folded.last,
            folded.count,
            evidence,
            hit.registry,
            hit.identity,
            hit.caller_ip,
        )


def per_event(
    meta: DetectionMeta, match: Match, query: Callable[[LogsConfig, RunningImages | None], str | None]
) -> Detection:
    """The Detection of a module that judges one record at a time."""
    return Detection(meta, lambda context: PerEventDetector(meta, match, context), query)
