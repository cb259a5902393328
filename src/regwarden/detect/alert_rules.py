"""The detections as Azure Monitor log search alert rules (`Microsoft.Insights/scheduledQueryRules`, kind
LogAlert): each rule runs its detection's KQL on the workspace the registry's diagnostic settings send to, every
`frequency` over the last `window`, and fires when the query returns a row. Formats (report/alert_rules_*) write
them as an ARM template or a Bicep file; nothing here knows either syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import Detection, RunningImages
from regwarden.model.finding import Severity

API_VERSION = "2023-12-01"
AZURE_SEVERITY = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3, Severity.INFO: 4}
"""Azure alert severities: 0 Critical, 1 Error, 2 Warning, 3 Informational, 4 Verbose."""


@dataclass(frozen=True)
class AlertRule:
    detection_id: str
    name: str
    """The resource name: `regwarden-rw-log-001-admin-account-login`."""
    display_name: str
    description: str
    severity: int
    query: str
    frequency: timedelta
    window: timedelta
    query_time_range: timedelta | None = None
    """`overrideQueryTimeRange`: set when the query reads a baseline before the window."""


@dataclass(frozen=True)
class AlertRuleSet:
    rules: tuple[AlertRule, ...]
    not_written: tuple[tuple[str, str], ...] = ()
    """(detection id, why) for detections that cannot be a rule here (e.g. no running digests known)."""


def alert_rules(
    detections: Sequence[Detection], config: LogsConfig, running: RunningImages | None = None
) -> AlertRuleSet:
    rules, skipped = [], []
    for detection in detections:
        query = detection.query(config, running)
        meta = detection.meta
        if query is None:
            skipped.append((meta.id, "needs the running digests of an inventory with a synced cluster (--db)"))
            continue
        shape = meta.alert
        rules.append(
            AlertRule(
                detection_id=meta.id,
                name=f"regwarden-{meta.id.lower()}-{meta.slug}",
                display_name=f"regwarden {meta.id}: {meta.title}",
                description=meta.rationale,
                severity=AZURE_SEVERITY[meta.severity],
                query=query,
                frequency=shape.frequency,
                window=shape.window,
                query_time_range=config.baseline + shape.window if shape.looks_back else None,
            )
        )
    return AlertRuleSet(tuple(rules), tuple(skipped))


def iso_duration(duration: timedelta) -> str:
    """ISO 8601 as ARM writes durations: `PT5M`, `PT1H`, `P14DT1H`, `P1D`."""
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"P{f'{days}D' if days else ''}{'T' + time if time else ''}" if days or time else "PT0S"
