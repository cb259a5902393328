"""`regwarden events`: the event log (newest first, with the state of each delivery) and the result of a
delivery pass, as a table for people and JSON for scripts."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from regwarden.inventory.delivery import DeliveryReport, Outcome
from regwarden.model.inventory import Event


def render_events_table(events: Sequence[Event], *, width: int = 160) -> bytes:
    if not events:
        return b"no events\n"
    rows = [
        (str(e.id), _moment(e.created_at), e.kind, e.summary, "\n".join(_delivery_text(d) for d in e.deliveries) or "-")
        for e in events
    ]
    return _table(("Id", "Created (UTC)", "Kind", "Summary", "Deliveries"), rows, width)


def render_events_json(events: Sequence[Event]) -> bytes:
    """`{"events": [...]}`: each event's envelope fields, its payload and `deliveries` (endpoint, status, attempts)."""
    document = {
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "created_at": e.created_at.astimezone(UTC).isoformat(),
                "summary": e.summary,
                "payload": e.payload,
                "deliveries": [{"endpoint": n, "status": s, "attempts": a} for n, s, a in e.deliveries],
            }
            for e in events
        ]
    }
    return _dump(document)


def render_delivery_table(report: DeliveryReport, *, width: int = 160) -> bytes:
    if report.busy:
        return b"another delivery pass is running; nothing done\n"
    text = ""
    if report.attempts:
        rows = [
            (str(a.event_id), a.endpoint, a.outcome.value, str(a.attempts), _moment(a.next_attempt_at), a.detail)
            for a in report.attempts
        ]
        header = ("Event", "Endpoint", "Outcome", "Attempts", "Next attempt (UTC)", "Detail")
        text = _table(header, rows, width).decode()
    counts = ", ".join(f"{report.count(outcome)} {outcome.value}" for outcome in Outcome)
    text += f"{deliveries(len(report.attempts))} handled: {counts}\n"
    for endpoint, pending in report.unconfigured:
        text += f"endpoint {endpoint} is not configured: {deliveries(pending)} kept pending\n"
    return text.encode()


def render_delivery_json(report: DeliveryReport) -> bytes:
    document = {
        "busy": report.busy,
        "counts": {outcome.value: report.count(outcome) for outcome in Outcome},
        "deliveries": [
            {
                "event_id": a.event_id,
                "endpoint": a.endpoint,
                "outcome": a.outcome.value,
                "attempts": a.attempts,
                "next_attempt_at": a.next_attempt_at.astimezone(UTC).isoformat() if a.next_attempt_at else None,
                "detail": a.detail,
            }
            for a in report.attempts
        ],
        "unconfigured": [{"endpoint": endpoint, "pending": pending} for endpoint, pending in report.unconfigured],
    }
    return _dump(document)


def deliveries(count: int) -> str:
    return f"{count} {'delivery' if count == 1 else 'deliveries'}"


def _delivery_text(delivery: tuple[str, str, int]) -> str:
    endpoint, status, attempts = delivery
    return f"{endpoint}: {status}" + (f" ({attempts} attempt{'' if attempts == 1 else 's'})" if attempts else "")


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    table = Table(header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return buffer.getvalue().encode()


def _dump(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
