"""`regwarden rules list|show`: rule metadata for people."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from regwarden.posture.rule import RuleMeta


def render_rule_table(rules: Sequence[RuleMeta], *, width: int = 150) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    table = Table(header_style="bold")
    for column in ("Id", "Severity", "Category", "Profiles", "Title", "Anchors"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        table.add_row(
            rule.id,
            rule.severity.value,
            rule.category,
            ", ".join(sorted(p.value for p in rule.profiles)),
            rule.title,
            ", ".join(r.id for r in rule.references) or "none",
        )
    console.print(table)
    return buffer.getvalue().encode()


def render_rule_detail(rule: RuleMeta) -> bytes:
    references = "\n".join(f"  {r.anchor}: {r.id}" for r in rule.references) or "  none (regwarden only)"
    text = (
        f"{rule.id}  {rule.title}\n"
        f"slug: {rule.slug}   severity: {rule.severity.value}   category: {rule.category}\n"
        f"profiles: {', '.join(sorted(p.value for p in rule.profiles))}\n\n"
        f"Rationale:\n  {rule.rationale}\n\n"
        f"Remediation (az):\n  {rule.remediation.az}\n\n"
        f"Remediation (Bicep):\n  {rule.remediation.bicep}\n\n"
        f"Remediation (Terraform):\n  {rule.remediation.terraform}\n\n"
        f"Equivalent checks:\n{references}\n"
    )
    return text.encode()
