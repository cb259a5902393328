"""`regwarden db update | import | status` results as tables, text and JSON. Renders; computes nothing.

Ages are shown relative to `now`, which the caller passes, so the same result always renders the same text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from regwarden.model.advisory_database import (
    DatabaseStatus,
    ImportReport,
    RejectedRecord,
    RematchReport,
    UpdateReport,
)

MAX_REJECTED_SHOWN = 10


def render_update_table(report: UpdateReport) -> str:
    rows: list[tuple[str, ...]] = [(u.ecosystem, u.mode, str(u.written), str(len(u.rejected))) for u in report.updated]
    rows += [(name, "failed", "-", "-") for name, _ in report.failed]
    return _table(("Ecosystem", "Update", "Written", "Rejected"), rows) + _rematch_text(report.rematch)


def render_update_json(report: UpdateReport) -> str:
    document = {
        "updated": [
            {
                "ecosystem": u.ecosystem,
                "mode": u.mode,
                "written": u.written,
                "rejected": _rejected_json(u.rejected),
                "source": u.source,
            }
            for u in report.updated
        ],
        "failed": [{"ecosystem": name, "error": str(error)} for name, error in report.failed],
        "inventory": _rematch_json(report.rematch),
    }
    return json.dumps(document, indent=2) + "\n"


def render_import_text(report: ImportReport) -> str:
    ecosystems = ", ".join(report.ecosystems) or "none"
    newer = f"; kept {len(report.kept_newer)} newer stored" if report.kept_newer else ""
    return (
        f"imported {report.written} advisories from {report.source} ({ecosystems});"
        f" rejected {len(report.rejected)}{newer}\n"
    ) + _rematch_text(report.rematch)


def render_import_json(report: ImportReport) -> str:
    document = {
        "source": report.source,
        "written": report.written,
        "ecosystems": list(report.ecosystems),
        "rejected": _rejected_json(report.rejected),
        "kept_newer": list(report.kept_newer),
        "changed": list(report.changed),
        "inventory": _rematch_json(report.rematch),
    }
    return json.dumps(document, indent=2) + "\n"


def _rematch_text(rematch: RematchReport | None) -> str:
    """What the changed advisories did to the inventory; nothing when none changed or nothing is catalogued."""
    if rematch is None or rematch.packages == 0:
        return ""
    return (
        f"inventory: {rematch.advisories} new or changed advisories re-matched {rematch.packages} stored packages: "
        f"{rematch.new_findings} new and {rematch.resolved_findings} resolved findings in {rematch.images} images; "
        f"production workloads newly affected: {rematch.exposures_opened} (no longer: {rematch.exposures_closed}); "
        f"{rematch.events} events\n"
    )


def _rematch_json(rematch: RematchReport | None) -> dict[str, int] | None:
    if rematch is None:
        return None
    return {
        "advisories": rematch.advisories,
        "packages": rematch.packages,
        "new_findings": rematch.new_findings,
        "resolved_findings": rematch.resolved_findings,
        "images": rematch.images,
        "exposures_opened": rematch.exposures_opened,
        "exposures_closed": rematch.exposures_closed,
        "events": rematch.events,
    }


def render_status_table(status: DatabaseStatus, now: datetime) -> str:
    rows = [
        (
            s.ecosystem,
            str(s.advisories),
            s.last_updated.strftime("%Y-%m-%d %H:%M UTC") if s.last_updated else "never",
            _age_text(now - s.last_updated if s.last_updated else None),
            s.source or "-",
        )
        for s in status.ecosystems
    ]
    header = f"database: {status.url}   oldest ecosystem: {_age_text(status.age)}\n"
    return header + _table(("Ecosystem", "Advisories", "Last update", "Age", "Source"), rows)


def render_status_json(status: DatabaseStatus, now: datetime) -> str:
    document: dict[str, Any] = {
        "database": status.url,
        "age_seconds": _seconds(status.age),
        "ecosystems": [
            {
                "ecosystem": s.ecosystem,
                "advisories": s.advisories,
                "last_updated": s.last_updated.isoformat() if s.last_updated else None,
                "age_seconds": _seconds(now - s.last_updated if s.last_updated else None),
                "source": s.source,
            }
            for s in status.ecosystems
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def render_rejected_warning(rejected: Sequence[RejectedRecord]) -> str:
    """The stderr lines for records that were not stored: a count, the first few, and where to see the rest."""
    if not rejected:
        return ""
    lines = [f"regwarden: warning: {len(rejected)} record(s) rejected (not stored):"]
    lines += [f"  {record.id}: {record.reason}" for record in rejected[:MAX_REJECTED_SHOWN]]
    if len(rejected) > MAX_REJECTED_SHOWN:
        lines.append(f"  … and {len(rejected) - MAX_REJECTED_SHOWN} more (see -o json)")
    return "\n".join(lines) + "\n"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    table = Table(header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(file=buffer, width=140, no_color=True, highlight=False, markup=False).print(table)
    return buffer.getvalue()


def _rejected_json(rejected: tuple[RejectedRecord, ...]) -> list[dict[str, str]]:
    return [{"id": r.id, "reason": r.reason} for r in rejected]


def _age_text(age: timedelta | None) -> str:
    if age is None:
        return "never"
    hours = max(age.total_seconds(), 0) / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def _seconds(age: timedelta | None) -> int | None:
    return None if age is None else int(age.total_seconds())
