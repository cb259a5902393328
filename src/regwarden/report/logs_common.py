"""What `logs analyze` reports, and what every format of it shows the same way (counts, gaps, evidence lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regwarden.detect.detection import Finding
from regwarden.detect.engine import Analysis
from regwarden.model.audit import AuditEvent, ReadSummary, RecordedFindings


@dataclass(frozen=True)
class LogsReport:
    analysis: Analysis
    read: ReadSummary
    analysis_start: datetime | None
    """Events before it were read as baseline only; None: everything read was analysed."""
    recorded: RecordedFindings | None
    """What was stored in the inventory database; None when nothing was recorded (`--no-record`)."""
    inventory: bool
    """Running workloads were known, so deletions of running images were checked."""


def period(report: LogsReport) -> str:
    analysis = report.analysis
    if analysis.first is None or analysis.last is None:
        return "no records"
    span = f"{analysis.first:%Y-%m-%d %H:%M:%S} to {analysis.last:%Y-%m-%d %H:%M:%S} UTC"
    if report.analysis_start is None:
        return span
    return f"{span}, analysed from {report.analysis_start:%Y-%m-%d %H:%M:%S} UTC (earlier records: baseline)"


def read_line(report: LogsReport) -> str:
    read = report.read
    tables = ", ".join(f"{table.value} {count}" for table, count in read.records.items() if count)
    parts = [f"{read.total} records read ({tables or 'none'})"]
    if read.skipped_count:
        parts.append(f"{read.skipped_count} unusable")
    if read.ignored:
        parts.append(f"{read.ignored} of other tables ignored")
    return "; ".join(parts)


def recorded_line(report: LogsReport) -> str:
    recorded = report.recorded
    if recorded is None:
        return "not recorded (--no-record): no events were raised"
    return (
        f"recorded: {recorded.new} new, {recorded.updated} updated, {recorded.unchanged} already known; "
        f"{recorded.events} events raised"
    )


def evidence_line(event: AuditEvent) -> str:
    """One evidence record in a line: time, operation, who, from where, what, and where it was read."""
    what = " ".join(filter(None, (event.repository, event.tag and f":{event.tag}", event.digest[:19])))
    who = event.identity or "(no identity)"
    parts = [f"{event.time:%Y-%m-%d %H:%M:%S}", event.operation, who]
    if event.caller_ip:
        parts.append(f"from {event.caller_ip}")
    if what:
        parts.append(what)
    if event.result_description or event.status:
        parts.append(event.result_description or event.status)
    return " ".join(parts) + f"  [{event.origin}]"


def finding_document(finding: Finding) -> dict[str, object]:
    meta = finding.detection
    return {
        "detection": {"id": meta.id, "slug": meta.slug, "title": meta.title, "severity": meta.severity.value},
        "key": finding.key,
        "message": finding.message,
        "first_seen": finding.first_seen.isoformat(),
        "last_seen": finding.last_seen.isoformat(),
        "count": finding.count,
        "registry": finding.registry,
        "identity": finding.identity,
        "caller_ip": finding.caller_ip,
        "evidence": [event.as_dict() for event in finding.evidence],
    }
