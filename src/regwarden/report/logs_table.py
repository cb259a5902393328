"""`logs analyze` as terminal text: what was read, the findings (most severe first) with evidence, then gaps."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from regwarden.report.logs_common import LogsReport, evidence_line, period, read_line, recorded_line

EVIDENCE_SHOWN = 3


def render(report: LogsReport, *, width: int = 150) -> bytes:
    buffer = io.StringIO()
    # Markup off: evidence names files (`[/var/log/x.jsonl:12]`), which rich would read as a closing tag.
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    console.print(f"Audit logs: {period(report)}")
    console.print(read_line(report))
    analysis = report.analysis
    if analysis.findings:
        table = Table(show_lines=True, expand=False)
        for column in ("severity", "detection", "finding", "records", "evidence"):
            table.add_column(column, overflow="fold")
        for finding in analysis.findings:
            evidence = [evidence_line(e) for e in finding.evidence[:EVIDENCE_SHOWN]]
            if len(finding.evidence) > EVIDENCE_SHOWN or finding.count > len(finding.evidence):
                evidence.append(f"... {finding.count - EVIDENCE_SHOWN} more (-o json lists up to 20)")
            meta = finding.detection
            table.add_row(
                meta.severity.value,
                f"{meta.id}\n{meta.title}",
                finding.message,
                str(finding.count),
                "\n".join(evidence),
            )
        console.print(table)
    else:
        console.print(f"No findings from {len(analysis.detections)} detections.")
    for skipped in report.read.skipped:
        console.print(f"unusable: {skipped.count} × {skipped.reason} (e.g. {', '.join(skipped.examples)})")
    for gap in analysis.gaps:
        console.print(f"not checked [{gap.detection_id}]: {gap.reason} ({gap.count})")
    console.print(recorded_line(report))
    return buffer.getvalue().encode()
