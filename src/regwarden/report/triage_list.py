"""`triage list` as a table or JSON: every decision, oldest first, each marked active, expired or superseded.

JSON shape (stable; scripts read it): {"query": ID | null, "decisions": [{"id", "scope", "target", "package",
"state", "reason", "author", "created_at", "expires", "status"}]}.
"""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from regwarden.model.inventory import TriageDecision
from regwarden.model.triage_reports import TriageEntry, TriageListing, TriageOutcome


def render_triage_list_table(listing: TriageListing, *, width: int = 160) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    active = sum(1 for entry in listing.entries if entry.status == "active")
    subject = f" for {listing.query}" if listing.query else ""
    console.print(f"{len(listing.entries)} triage decision(s){subject}, {active} active")
    if listing.entries:
        table = Table(header_style="bold")
        columns = ("Vulnerability", "Scope", "Target", "Package", "State", "Reason", "By", "At", "Expires", "Status")
        for column in columns:
            table.add_column(column, overflow="fold")
        for entry in listing.entries:
            d = entry.decision
            table.add_row(
                d.vuln_id,
                d.scope.value,
                d.target or "every image",
                d.package or "every package",
                d.state.value,
                d.reason,
                d.author,
                f"{d.created_at:%Y-%m-%d %H:%M}",
                d.expires.isoformat() if d.expires else "",
                entry.status,
            )
        console.print(table)
    return buffer.getvalue().encode()


def render_triage_list_json(listing: TriageListing) -> bytes:
    document = {"query": listing.query, "decisions": [_entry(entry) for entry in listing.entries]}
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def render_triage_outcome_json(outcome: TriageOutcome) -> bytes:
    """`triage ID … -o json`: the decisions written and what they changed."""
    document = {
        "decisions": [_decision(decision) for decision in outcome.decisions],
        "covered": outcome.covered,
        "images": outcome.images,
        "exposures_closed": outcome.exposures_closed,
        "exposures_opened": outcome.exposures_opened,
        "events": outcome.events,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _entry(entry: TriageEntry) -> dict[str, object]:
    return {**_decision(entry.decision), "status": entry.status}


def _decision(d: TriageDecision) -> dict[str, object]:
    return {
        "id": d.vuln_id,
        "scope": d.scope.value,
        "target": d.target,
        "package": d.package,
        "state": d.state.value,
        "reason": d.reason,
        "author": d.author,
        "created_at": d.created_at.isoformat(),
        "expires": d.expires.isoformat() if d.expires else None,
    }
