"""`affected ID -o markdown`: for an incident ticket or a chat message."""

from __future__ import annotations

from regwarden.model.inventory import AffectedReport
from regwarden.report.affected_table import verdict


def render_affected_markdown(report: AffectedReport) -> bytes:
    lines = [f"## {report.vulnerability_id}: {verdict(report)}", ""]
    if report.aliases:
        lines += [f"Also known as: {', '.join(report.aliases)}", ""]
    if report.summary:
        lines += [_cell(report.summary), ""]
    if report.running:
        lines += [
            "### Running",
            "",
            "| Cluster | Namespace | Workload | Container | Environment | Package | Installed | Fixed |",
        ]
        lines.append("|---|---|---|---|---|---|---|---|")
        for workload, row in report.running:
            c = row.component
            environment = f"{workload.environment} ({_cell(workload.environment_rule)})"
            cells = (workload.cluster, workload.namespace, f"{workload.kind}/{workload.name}", workload.container)
            lines.append(_row(*cells, environment, c.package, c.version, ", ".join(c.fixed) or "not fixed"))
        lines.append("")
    if report.not_running:
        lines += ["### Catalogued, not running", "", "| Image | Package | Installed | Fixed |", "|---|---|---|---|"]
        for row in report.not_running:
            c = row.component
            lines.append(_row(c.image, c.package, c.version, ", ".join(c.fixed) or "not fixed"))
        lines.append("")
    if report.triaged:
        lines += ["### Triaged", "", "| Image | Package | State | Reason | By |", "|---|---|---|---|---|"]
        for row in report.triaged:
            decision = row.triage
            assert decision is not None
            c = row.component
            lines.append(_row(c.image, c.package, decision.state.value, decision.reason, decision.author))
        lines.append("")
    return "\n".join(lines).encode()


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
