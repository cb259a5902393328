"""`drift` as terminal tables: the tally first, then one table per kind of drift, triaged findings apart, and
what could not be judged (never silently left out)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.model.drift import DriftReport, FixableFinding
from regwarden.model.inventory import RunningWorkload
from regwarden.report.history_common import short_digest


def render_drift_table(report: DriftReport, *, width: int = 160) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    tally = ", ".join(f"{kind}: {count}" for kind, count in report.counts.items())
    console.print(Text.assemble(("Drift", "bold"), f"  {tally}"))
    for table in _tables(report):
        console.print(table)
    for item in report.not_evaluated:
        console.print(f"not evaluated: {item.subject}: {item.reason}")
    for warning in report.warnings:
        console.print(f"warning: {warning}")
    if not report.drifted() and not report.not_evaluated:
        console.print("No drift: every running digest is known, current, scanned recently and has no fixable finding.")
    return buffer.getvalue().encode()


def _tables(report: DriftReport) -> list[Table]:
    tables = []
    if report.unknown:
        table = _table("Running digests no synced registry holds", ("Workload", "Image", "Digest", "Why"))
        for item in report.unknown:
            w = item.workload
            table.add_row(_name(w), w.image, short_digest(w.digest), item.reason)
        tables.append(table)
    if report.moved:
        columns = ("Workload", "Tag", "Running", "Tag now", "Moved at")
        table = _table("Tags that moved away from the running digest", columns)
        for moved in report.moved:
            w, now = moved.workload, short_digest(moved.current_digest) if moved.current_digest else "deleted"
            when = f"{moved.moved_at:%Y-%m-%d %H:%M}" if moved.moved_at else ""
            table.add_row(_name(w), f"{moved.repository}:{moved.tag}", short_digest(w.digest), now, when)
        tables.append(table)
    if report.fixable_open:
        tables.append(_fixable_table(f"Fixable {'/'.join(report.severities)} findings", report.fixable_open))
    if report.fixable_triaged:
        tables.append(_fixable_table("Triaged (not counted)", report.fixable_triaged))
    if report.stale:
        table = _table(
            f"Never scanned, or advisory data over {report.max_db_age_days:g} days old",
            ("Digest", "State", "Detail", "Workloads"),
        )
        for stale in report.stale:
            table.add_row(short_digest(stale.running_digest), stale.kind, stale.detail, _names(stale.workloads))
        tables.append(table)
    return tables


def _fixable_table(title: str, items: Sequence[FixableFinding]) -> Table:
    columns = ("Vulnerability", "Severity", "Package", "Installed", "Fixed in", "Image", "Workloads", "Triage")
    table = _table(title, columns)
    for item in items:
        decision = item.triage
        triage = "" if decision is None else f"{decision.state.value} by {decision.author}: {decision.reason}"
        table.add_row(
            item.vuln_id,
            item.severity,
            item.package,
            item.version,
            ", ".join(item.fixed),
            item.image,
            _names(item.workloads),
            triage,
        )
    return table


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _name(workload: RunningWorkload) -> str:
    return f"{workload.cluster} {workload.namespace}/{workload.kind}/{workload.name} [{workload.container}]"


def _names(workloads: Sequence[RunningWorkload]) -> str:
    return "\n".join(sorted({_name(workload) for workload in workloads}))
