"""`logs analyze -o markdown`: findings for an incident ticket or a pull-request comment."""

from __future__ import annotations

from regwarden.report.logs_common import LogsReport, evidence_line, period, read_line, recorded_line


def render(report: LogsReport) -> bytes:
    analysis = report.analysis
    lines = ["## regwarden audit logs", "", f"{period(report)}; {read_line(report)}.", ""]
    if not analysis.findings:
        lines += [f"No findings from {len(analysis.detections)} detections.", ""]
    else:
        lines += ["| severity | detection | finding | records |", "|---|---|---|---|"]
        for finding in analysis.findings:
            meta = finding.detection
            lines.append(
                f"| {meta.severity.value} | {meta.id} {meta.title} | {_cell(finding.message)} | {finding.count} |"
            )
        lines.append("")
        for finding in analysis.findings:
            lines += [f"<details><summary>{finding.detection.id}: {_cell(finding.message)}</summary>", "", "```"]
            lines += [evidence_line(event) for event in finding.evidence]
            lines += ["```", "", "</details>", ""]
    notes = [f"- not checked ({gap.detection_id}): {gap.reason} ({gap.count})" for gap in analysis.gaps]
    notes += [f"- unusable records: {s.count} × {s.reason}" for s in report.read.skipped]
    if notes:
        lines += ["**Not checked or not read**", "", *notes, ""]
    lines.append(f"_{recorded_line(report)}_")
    return ("\n".join(lines) + "\n").encode()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
