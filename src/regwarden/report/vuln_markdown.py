"""A scan as Markdown for pull-request comments: the verdict first, then a table per package."""

from __future__ import annotations

from regwarden.report.vuln_common import ScanReport, by_package, fixed_in, gate_text, severity_counts

MAX_ROWS = 200
"""GitHub and Azure DevOps cap a comment at about 65,000 characters; the full list is in the other formats."""
_ICON = {"critical": "🟥", "high": "🟧", "medium": "🟨", "low": "🟦", "info": "⬜"}


def render_vuln_markdown(report: ScanReport) -> bytes:
    sbom = report.sbom
    verdict = "❌" if report.gate_failed else "✅"
    lines = [f"## {verdict} regwarden vulnerability scan", ""]
    lines += [f"**Image:** `{sbom.source}`" + (f" `{sbom.image_digest}`" if sbom.image_digest else ""), ""]
    tally = severity_counts(report.counted)
    lines += [
        " · ".join(f"{_ICON[s.value]} {s.value}: {n}" for s, n in tally.items())
        + f" · suppressed: {len(report.suppressed)}",
        "",
        f"{gate_text(report)} · {len(sbom.packages)} packages scanned · database `{report.database.location}`",
        "",
    ]
    lines += [f"> ⚠️ {_escape(warning)}" for warning in report.warnings]
    if report.warnings:
        lines.append("")
    if report.counted:
        lines += ["| Package | Installed | Vulnerability | Severity | Fixed in | Title |", "|---|---|---|---|---|---|"]
        rows = [(package, finding) for package, findings in by_package(report.counted) for finding in findings]
        for package, finding in rows[:MAX_ROWS]:
            lines.append(
                f"| {_escape(package.name)} | {_escape(package.version)} | {_link(finding.id)} | "
                f"{_ICON[finding.severity.value]} {report.severity_label(finding)} | "
                f"{_escape(fixed_in(finding))} | "
                f"{_escape(finding.summary or '')} |"
            )
        if len(rows) > MAX_ROWS:
            lines.append(f"\n… and {len(rows) - MAX_ROWS} more findings (see the SARIF or JSON report).")
        lines.append("")
    else:
        lines += ["No vulnerabilities found.", ""]
    if report.suppressed:
        lines += ["<details><summary>Suppressed findings</summary>", ""]
        lines += ["| Package | Vulnerability | Why |", "|---|---|---|"]
        for package, findings in by_package(report.suppressed):
            lines += [
                f"| {_escape(package.name)} {_escape(package.version)} | {_link(f.id)} | "
                f"{_escape(f.suppressed_by or '')} |"
                for f in findings
            ]
        lines += ["", "</details>", ""]
    return "\n".join(lines).encode()


def _link(vuln_id: str) -> str:
    return f"[{vuln_id}](https://osv.dev/vulnerability/{vuln_id})"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
