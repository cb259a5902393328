"""A scan as a terminal table, grouped by package with the version that fixes each vulnerability."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.report.vuln_common import ScanReport, by_package, fixed_in, gate_text, severity_counts

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def render_vuln_table(report: ScanReport, *, width: int = 150, color: bool = False) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, force_terminal=color, no_color=not color, highlight=False)
    sbom = report.sbom
    console.print(Text.assemble((sbom.source, "bold"), f"  {sbom.image_digest or ''}".rstrip()))
    if sbom.operating_system is not None:
        console.print(f"OS: {sbom.operating_system.pretty_name or sbom.operating_system.id}")
    console.print(f"Database: {report.database.location}{_age(report)}")
    tally = severity_counts(report.counted)
    console.print("  ".join(f"{s.value}: {n}" for s, n in tally.items()) + f"  suppressed: {len(report.suppressed)}")
    if report.counted:
        console.print(_findings_table(report))
    else:
        console.print(f"No vulnerabilities found in {len(sbom.packages)} packages.")
    if report.suppressed:
        console.print(_suppressed_table(report))
    for unknown in report.match_unknowns:
        console.print(f"not evaluated: {unknown.package.purl} {unknown.advisory_id or ''}: {unknown.reason}")
    for warning in report.warnings:
        console.print(Text.assemble(("warning:", "yellow"), f" {warning}"))
    console.print(gate_text(report))
    return buffer.getvalue().encode()


def _age(report: ScanReport) -> str:
    age = report.database.age_days
    return "" if age is None else f" (updated {age:.1f} days ago)"


def _findings_table(report: ScanReport) -> Table:
    table = Table(header_style="bold")
    for column in ("Package", "Installed", "Type", "Vulnerability", "Severity", "Fixed in", "Title"):
        table.add_column(column, overflow="fold")
    for package, findings in by_package(report.counted):
        for n, finding in enumerate(findings):
            first = n == 0
            table.add_row(
                package.name if first else "",
                package.version if first else "",
                package.type.value if first else "",
                finding.id,
                Text(report.severity_label(finding), style=_STYLE[finding.severity.value]),
                fixed_in(finding),
                finding.summary or "",
                end_section=n == len(findings) - 1,
            )
    return table


def _suppressed_table(report: ScanReport) -> Table:
    table = Table(title="Suppressed", header_style="bold")
    for column in ("Package", "Installed", "Vulnerability", "Severity", "Why"):
        table.add_column(column, overflow="fold")
    for package, findings in by_package(report.suppressed):
        for finding in findings:
            table.add_row(
                package.name, package.version, finding.id, finding.severity.value, finding.suppressed_by or ""
            )
    return table
