"""`logs analyze`: read audit logs (files or a live workspace), run the detections, store and announce findings.

Steps, in order:
1. The config file's `logs:` section (thresholds, allowed ranges, baseline) and its webhooks.
2. With `--since`, the analysed period starts that long ago; the `baseline` window before it is read too (from a
   workspace, the query covers both), as the history the unexpected-address detection compares with.
3. The inventory database (unless told not to record): what runs now, so deletions of running images are
   caught. With no cluster synced there is nothing to compare with, and the report says that check was not done.
4. One streaming pass: records are read, converted and analysed one at a time; unusable ones are counted.
5. New findings are stored with their `audit.finding` events and outbox rows in one transaction (service/notify
   delivers them, like every other event); findings already stored are widened, never duplicated.

Failure rule: a missing file or an unreachable workspace is an error with its exit code; unusable records are
counted and reported, never fatal; input without one usable record is NoDataError (exit 8), never "nothing found".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.durations import parse_duration
from regwarden.model.errors import BadInputError, NoDataError
from regwarden.report.logs_common import LogsReport
from regwarden.service.running_images import running_images

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from regwarden.collect.azurelogs import AuditLogReader
    from regwarden.detect.detection import Finding
    from regwarden.inventory.events import NewEvent
    from regwarden.model.audit import AuditEvent, ReadSummary
    from regwarden.store import Store

DEFAULT_WORKSPACE_SINCE = "24h"


@dataclass(frozen=True)
class LogsRequest:
    paths: tuple[Path, ...] = ()
    workspace: str | None = None
    since: str | None = None
    config_file: Path | None = None
    db: str | None = None
    record: bool = True


@dataclass(frozen=True)
class WorkspaceAccess:
    """How to reach Log Analytics: the credential, and (tests, sovereign clouds) another endpoint and CA bundle."""

    credential: TokenCredential
    endpoint: str | None = None
    connection_verify: str | bool = True


def analyze_logs(
    request: LogsRequest, access: WorkspaceAccess | None = None, now: datetime | None = None
) -> LogsReport:
    from regwarden.collect.azurelogs import AuditLogReader
    from regwarden.detect.detection import DetectionContext
    from regwarden.detect.engine import analyse
    from regwarden.service.settings import load_settings

    if bool(request.paths) == bool(request.workspace):
        raise BadInputError("give either log files or --workspace ID")
    settings = load_settings(request.config_file)
    moment = now or datetime.now(UTC)
    since_text = request.since or (DEFAULT_WORKSPACE_SINCE if request.workspace else None)
    start = moment - parse_duration(since_text) if since_text else None
    store = _open(request)
    try:
        running = running_images(store) if store is not None else None
        context = DetectionContext(settings.logs, start, running)
        reader = AuditLogReader()
        events = _events(reader, request, access, settings.logs.baseline, moment, start)
        analysis = analyse(events, context)
        summary = reader.summary()
        if summary.total == 0:
            raise NoDataError(_nothing_read(summary))
        recorded = None
        if store is not None:
            pairs = [(finding, finding_event(finding)) for finding in analysis.findings]
            recorded = store.audit_findings.record(pairs, settings.endpoints, ", ".join(summary.sources), moment)
    finally:
        if store is not None:
            store.close()
    return LogsReport(analysis, summary, start, recorded, running is not None)


def _open(request: LogsRequest) -> Store | None:
    if not request.record:
        return None
    from regwarden.store import open_store

    return open_store(request.db)


def _events(
    reader: AuditLogReader,
    request: LogsRequest,
    access: WorkspaceAccess | None,
    baseline: timedelta,
    moment: datetime,
    start: datetime | None,
) -> Iterator[AuditEvent]:
    if request.paths:
        return reader.events(list(request.paths))  # handed on, not delegated to: one generator less per record
    return _workspace_events(reader, request, access, baseline, moment, start)


def _workspace_events(
    reader: AuditLogReader,
    request: LogsRequest,
    access: WorkspaceAccess | None,
    baseline: timedelta,
    moment: datetime,
    start: datetime | None,
) -> Iterator[AuditEvent]:
    from regwarden.collect.azurelogs.live import QUERIES, WorkspaceLogs

    assert request.workspace is not None and start is not None
    if access is None:
        from azure.identity import DefaultAzureCredential

        access = WorkspaceAccess(DefaultAzureCredential())
    logs = WorkspaceLogs(
        access.credential,
        request.workspace,
        moment - start + baseline,
        endpoint=access.endpoint,
        connection_verify=access.connection_verify,
    )
    reader.add_source(f"workspace {request.workspace}")
    for table, query in QUERIES:
        yield from reader.convert(logs.items(table, query), table)


def finding_event(finding: Finding) -> NewEvent:
    """The `audit.finding` event of a finding: the detection, what was found, and the first evidence records."""
    from regwarden.inventory.events import AUDIT_FINDING, NewEvent
    from regwarden.store.audit_findings import fingerprint

    meta = finding.detection
    payload: dict[str, object] = {
        "detection": {"id": meta.id, "slug": meta.slug, "title": meta.title, "severity": meta.severity.value},
        "finding": {
            "message": finding.message,
            "key": finding.key,
            "first_seen": finding.first_seen.isoformat(),
            "last_seen": finding.last_seen.isoformat(),
            "count": finding.count,
            "registry": finding.registry,
            "identity": finding.identity,
            "caller_ip": finding.caller_ip,
        },
        "evidence": [event.as_dict() for event in finding.evidence[:5]],
    }
    summary = f"{meta.id} ({meta.severity.value}) {meta.title}: {finding.message}"
    return NewEvent(AUDIT_FINDING, f"{AUDIT_FINDING}:{fingerprint(finding)}", summary, payload)


def _nothing_read(summary: ReadSummary) -> str:
    where = ", ".join(summary.sources) or "the input"
    problems = "; ".join(f"{s.count} × {s.reason}" for s in summary.skipped[:3])
    detail = f" ({problems})" if problems else ""
    return f"no usable ContainerRegistry or AzureActivity record in {where}{detail}: nothing was analysed"


LOGS_FORMATS: tuple[str, ...] = ("table", "json", "sarif", "markdown")


def render_logs(report: LogsReport, output_format: str) -> bytes:
    from regwarden.report import logs_json, logs_markdown, logs_sarif, logs_table

    renderers = {
        "table": logs_table.render,
        "json": logs_json.render,
        "sarif": logs_sarif.render,
        "markdown": logs_markdown.render,
    }
    if output_format not in renderers:
        raise BadInputError(f"unknown format {output_format!r}; expected one of: {', '.join(LOGS_FORMATS)}")
    return renderers[output_format](report)


def logs_gate_failed(findings: Sequence[Finding], fail_on: str | None) -> bool:
    """True when a finding at or above `fail_on` exists; `none` never fails."""
    from regwarden.model.finding import Severity

    if fail_on is None or fail_on.strip().lower() == "none":
        return False
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as error:
        raise BadInputError(f"--fail-on: {error}") from None
    return any(f.detection.severity.rank >= threshold.rank for f in findings)
