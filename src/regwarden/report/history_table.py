"""`history` as terminal tables: one line per build in order, then, per build that was compared, its package
changes and the vulnerabilities it introduced or fixed (triaged ones marked with their decision)."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.model.history import BuildStep, FindingDelta, HistoryReport
from regwarden.report.history_common import short_digest, state, tally


def render_history_table(report: HistoryReport, *, width: int = 160) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    order = "tag history, oldest first" if report.tag else "by image creation time, else first seen"
    console.print(Text.assemble((report.name, "bold"), f"  {len(report.steps)} build(s), {order}"))
    if not report.steps:
        console.print("The repository holds no digest yet.")
        return buffer.getvalue().encode()
    console.print(_builds_table(report))
    for number, step in enumerate(report.steps, start=1):
        if step.compared_with is not None and (step.packages or step.introduced or step.fixed):
            console.print(
                f"\nBuild {number} {short_digest(step.build.digest)} since {short_digest(step.compared_with)}"
            )
            if step.packages:
                console.print(_packages_table(step))
            if step.introduced or step.fixed:
                console.print(_findings_table(step))
    return buffer.getvalue().encode()


def _builds_table(report: HistoryReport) -> Table:
    table = Table(header_style="bold")
    for column in ("#", "Digest", "Seen", "Until", "Created", "State"):
        table.add_column(column, overflow="fold")
    table.add_column("Changes", overflow="fold", min_width=48)
    for number, step in enumerate(report.steps, start=1):
        build = step.build
        table.add_row(
            str(number),
            short_digest(build.digest),
            build.seen_at.strftime("%Y-%m-%d %H:%M"),
            build.until.strftime("%Y-%m-%d %H:%M") if build.until else ("now" if report.tag else ""),
            build.created or "",
            state(step),
            tally(step),
        )
    return table


def _packages_table(step: BuildStep) -> Table:
    table = Table(header_style="bold")
    for column in ("Change", "Type", "Name", "Before", "After", "Layer"):
        table.add_column(column, overflow="fold")
    for delta in step.packages:
        layer = delta.layer
        where = "-" if layer is None else f"{layer.index}: {(layer.created_by or layer.digest)[:60]}"
        table.add_row(
            delta.kind, delta.type, delta.name, ", ".join(delta.before) or "-", ", ".join(delta.after) or "-", where
        )
    return table


def _findings_table(step: BuildStep) -> Table:
    table = Table(header_style="bold")
    for column in ("Change", "Vulnerability", "Severity", "Package", "Version", "Fixed in", "Triage"):
        table.add_column(column, overflow="fold")
    for change, deltas in (("introduced", step.introduced), ("fixed", step.fixed)):
        for delta in deltas:
            table.add_row(
                change,
                delta.vuln_id,
                delta.severity,
                delta.package,
                delta.version,
                ", ".join(delta.fixed) or "not fixed",
                _triage_text(delta),
            )
    return table


def _triage_text(delta: FindingDelta) -> str:
    decision = delta.triage
    if decision is None:
        return ""
    return f"{decision.state.value} by {decision.author}: {decision.reason}"
