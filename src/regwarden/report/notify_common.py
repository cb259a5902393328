"""What every chat message about an event shows: a title, the summary, labelled facts and a footer.

Read from the event's payload (inventory/events.py writes it); a field the payload lacks is left out, never
invented. Slack (notify_slack.py) and Teams (notify_teams.py) lay the same view out in their own formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

from regwarden.inventory.events import ADMISSION_DENIED, AFFECTED, AUDIT_FINDING, RESOLVED
from regwarden.model.inventory import Event


@dataclass(frozen=True)
class EventView:
    title: str
    summary: str
    facts: tuple[tuple[str, str], ...]
    footer: str
    affected: bool
    """True for a new exposure (shown as an alert), False for a resolution or another kind."""


def event_view(event: Event) -> EventView:
    vuln_id = _text(event.payload, "vulnerability", "id") or "a vulnerability"
    if event.kind == AUDIT_FINDING:
        title = f"Audit logs: {_text(event.payload, 'detection', 'title') or 'a detection fired'}"
        footer = f"regwarden event {event.id} · {event.kind} · {event.created_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        return EventView(title, event.summary, _audit_facts(event.payload), footer, True)
    if event.kind == AFFECTED:
        title = f"New production exposure: {vuln_id}"
    elif event.kind == RESOLVED:
        title = f"Resolved: {vuln_id}"
    elif event.kind == ADMISSION_DENIED:
        workload = " ".join(filter(None, (_text(event.payload, "workload", "kind"), _workload_name(event.payload))))
        audit = _text(event.payload, "admission", "mode") == "audit"
        title = f"Admission {'would be denied (audit mode)' if audit else 'denied'}: {workload}"
    else:
        title = f"regwarden: {event.kind}"
    created = event.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    footer = f"regwarden event {event.id} · {event.kind} · {created}"
    return EventView(title, event.summary, _facts(event.payload), footer, event.kind == AFFECTED)


def _facts(payload: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    fixed = _section(payload, "vulnerability").get("fixed")
    workload = " ".join(filter(None, (_text(payload, "workload", "kind"), _workload_name(payload))))
    facts = (
        ("Vulnerability", _text(payload, "vulnerability", "id")),
        ("Severity", _text(payload, "vulnerability", "severity")),
        ("Fixed in", ", ".join(str(v) for v in fixed) if isinstance(fixed, list) and fixed else ""),
        ("Workload", workload),
        ("Container", _text(payload, "workload", "container")),
        ("Cluster", _text(payload, "workload", "cluster")),
        ("Environment", _text(payload, "workload", "environment")),
        ("Package", " ".join(filter(None, (_text(payload, "package", "name"), _text(payload, "package", "version"))))),
        ("Image", _text(payload, "image", "reference")),
        ("Digest", _text(payload, "image", "digest")),
    )
    return tuple((label, value) for label, value in facts if value)


def _audit_facts(payload: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    facts = (
        ("Detection", _text(payload, "detection", "id")),
        ("Severity", _text(payload, "detection", "severity")),
        ("Registry", _text(payload, "finding", "registry")),
        ("Identity", _text(payload, "finding", "identity")),
        ("Caller IP", _text(payload, "finding", "caller_ip")),
        ("First seen", _text(payload, "finding", "first_seen")),
        ("Records", _text(payload, "finding", "count")),
    )
    return tuple((label, value) for label, value in facts if value)


def _workload_name(payload: Mapping[str, object]) -> str:
    namespace, name = _text(payload, "workload", "namespace"), _text(payload, "workload", "name")
    return f"{namespace}/{name}" if namespace and name else name


def _section(payload: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = payload.get(key)
    return value if isinstance(value, Mapping) else {}


def _text(payload: Mapping[str, object], section: str, key: str) -> str:
    value = _section(payload, section).get(key)
    return str(value) if value is not None else ""


def shorten(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis when longer (chat formats cap every field)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
