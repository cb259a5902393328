"""Run the detections over a stream of events in one pass.

Each event goes only to the detections that read its table and operation (a routing table built as operations
are met, so the per-event cost does not grow with the number of detections), and only to those that read the
baseline when it falls before the analysed period. Nothing is sorted or kept by the engine itself: memory is the
detectors' bounded state. The engine also notices records that arrive far out of time order, since windowed
detections can only be exact within `max_disorder`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from regwarden.detect.detection import Detection, DetectionContext, DetectionMeta, Detector, Finding, Gap
from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.audit import AuditEvent, AuditTable

Observe = Callable[[AuditEvent], None]
Route = tuple[tuple[Observe, ...], tuple[Observe, ...]]
"""(observers of an analysed event, observers of a baseline event) for one (table, operation)."""
WINDOWED = ("RW-LOG-003", "RW-LOG-010")


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...]
    gaps: tuple[Gap, ...]
    detections: tuple[DetectionMeta, ...]
    """The detections that ran."""
    events: int
    analysed: int
    """Events in the analysed period (the others were read as baseline only)."""
    first: datetime | None = None
    last: datetime | None = None
    out_of_order: int = 0


def select(detections: Sequence[Detection], disabled: Iterable[str]) -> tuple[Detection, ...]:
    off = {identifier.upper() for identifier in disabled}
    return tuple(d for d in detections if d.meta.id not in off)


def analyse(
    events: Iterable[AuditEvent], context: DetectionContext, detections: Sequence[Detection] | None = None
) -> Analysis:
    """Every selected detection over `events` (default: ALL_DETECTIONS less the config's `disabled`)."""
    if detections is None:
        from regwarden.detect.detections import ALL_DETECTIONS  # deferred: importing the engine loads none

        detections = select(ALL_DETECTIONS, context.config.disabled)
    running: list[tuple[Detection, Detector]] = [(d, d.start(context)) for d in detections]
    routes: dict[tuple[AuditTable, str], Route] = {}
    start, total, analysed = context.analysis_start, 0, 0
    tolerance = context.config.max_disorder
    low = low_plus = datetime.max.replace(tzinfo=UTC)
    high = high_less = datetime.min.replace(tzinfo=UTC)
    backward = forward = 0
    with cyclic_gc_paused():  # events and detector state hold no reference cycles; see gc_pause
        for event in events:
            total += 1
            route = routes.get((event.table, event.operation))
            if route is None:
                route = routes[(event.table, event.operation)] = _route(event, running)
            moment = event.time
            # Records more than `tolerance` behind the newest so far (backward) or ahead of the oldest (forward):
            # the smaller count is the records out of order, whichever way the input is sorted. Kept inline: this
            # runs once per record.
            if moment > high:
                high, high_less = moment, moment - tolerance
            elif moment < high_less:
                backward += 1
            if moment < low:
                low, low_plus = moment, moment + tolerance
            elif moment > low_plus:
                forward += 1
            if start is None or moment >= start:
                analysed += 1
                for observe in route[0]:
                    observe(event)
            else:
                for observe in route[1]:
                    observe(event)
        findings, gaps = _finish(running)
    late = min(backward, forward)
    if late:
        gaps.append(_disorder_gap(late, context))
    ranked = sorted(findings, key=lambda f: (-f.detection.severity.rank, f.first_seen, f.detection.id, f.key))
    metas = tuple(d.meta for d, _ in running)
    first, last = (low, high) if total else (None, None)
    return Analysis(tuple(ranked), tuple(gaps), metas, total, analysed, first, last, late)


def _route(event: AuditEvent, running: Sequence[tuple[Detection, Detector]]) -> Route:
    wanted = [(d, detector) for d, detector in running if d.wants(event)]
    analysed = tuple(detector.observe for _, detector in wanted)
    baseline = tuple(detector.observe for d, detector in wanted if d.meta.reads_baseline)
    return analysed, baseline


def _finish(running: Sequence[tuple[Detection, Detector]]) -> tuple[list[Finding], list[Gap]]:
    findings: list[Finding] = []
    gaps: list[Gap] = []
    for _, detector in running:
        found, missed = detector.finish()
        findings.extend(found)
        gaps.extend(missed)
    return findings, gaps


def _disorder_gap(late: int, context: DetectionContext) -> Gap:
    window = context.config.max_disorder
    return Gap(
        "engine",
        f"{late} records arrived more than {window} out of time order: windowed detections ({', '.join(WINDOWED)}) "
        "may have missed bursts among them; sort the export by TimeGenerated or raise logs.max_disorder",
        late,
    )
