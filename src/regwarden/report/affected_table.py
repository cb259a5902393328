"""`affected ID` as terminal tables: the verdict first, then running workloads (production first), then images
that do not run, then what triage set aside. Every running row says which rule made it production or not."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.model.inventory import AffectedReport


def render_affected_table(report: AffectedReport, *, width: int = 160) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    console.print(Text.assemble((report.vulnerability_id, "bold"), f"  {verdict(report)}"))
    if report.aliases:
        console.print(f"Also known as: {', '.join(report.aliases)}")
    if report.summary:
        console.print(report.summary)
    if report.running:
        console.print(_running_table(report))
    if report.not_running:
        console.print(_not_running_table(report))
    if report.triaged:
        console.print(_triaged_table(report))
    return buffer.getvalue().encode()


def verdict(report: AffectedReport) -> str:
    """One line a person or a CI log reads first."""
    production = {(w.cluster, w.namespace, w.kind, w.name) for w, _ in report.running if w.environment == "production"}
    other = {(w.cluster, w.namespace, w.kind, w.name) for w, _ in report.running} - production
    images = {row.component.digest for row in report.rows if row.triage is None}
    if not images:
        triaged = f" ({len(report.triaged)} triaged)" if report.triaged else ""
        return f"affects no catalogued image{triaged}"
    parts = [f"{len(production)} production workload(s)", f"{len(other)} other workload(s)", f"{len(images)} image(s)"]
    return "affects " + ", ".join(parts)


def _running_table(report: AffectedReport) -> Table:
    table = Table(title="Running", header_style="bold", title_justify="left")
    for column in ("Cluster", "Namespace", "Workload", "Container", "Env", "Package", "Installed", "Fixed", "Image"):
        table.add_column(column, overflow="fold")
    rules = list(dict.fromkeys(workload.environment_rule for workload, _ in report.running))
    for workload, row in report.running:
        component = row.component
        note = rules.index(workload.environment_rule) + 1
        table.add_row(
            workload.cluster,
            workload.namespace,
            f"{workload.kind}/{workload.name}",
            workload.container,
            Text(f"{workload.environment} [{note}]", style="bold" if workload.environment == "production" else ""),
            component.package,
            component.version,
            ", ".join(component.fixed) or "not fixed",
            f"{workload.image}\n{component.digest}",
        )
    table.caption = "\n".join(f"[{n}] {rule}" for n, rule in enumerate(rules, start=1))
    table.caption_justify = "left"
    return table


def _not_running_table(report: AffectedReport) -> Table:
    table = Table(title="Catalogued, not running", header_style="bold", title_justify="left")
    for column in ("Image", "Package", "Installed", "Fixed", "Digest"):
        table.add_column(column, overflow="fold")
    for row in report.not_running:
        component = row.component
        fixed = ", ".join(component.fixed) or "not fixed"
        table.add_row(component.image, component.package, component.version, fixed, component.digest)
    return table


def _triaged_table(report: AffectedReport) -> Table:
    table = Table(title="Triaged", header_style="bold", title_justify="left")
    for column in ("Image", "Package", "Installed", "State", "Reason", "By", "Expires"):
        table.add_column(column, overflow="fold")
    for row in report.triaged:
        decision = row.triage
        assert decision is not None
        expires = decision.expires.isoformat() if decision.expires else ""
        component = row.component
        state = decision.state.value
        table.add_row(
            component.image, component.package, component.version, state, decision.reason, decision.author, expires
        )
    return table
