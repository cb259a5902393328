"""Posture results as a terminal table, one section per registry."""

from __future__ import annotations

import io
from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.posture.engine import RuleResult
from regwarden.report.posture_common import counts, effective_status, evidence_text, ordered

_STYLE = {"FAIL": "red", "UNKNOWN": "yellow", "PASS": "green", "SKIPPED": "dim", "SUPPRESSED": "dim"}


def render_posture_table(
    results: Sequence[RuleResult], *, show_passed: bool = True, width: int = 150, color: bool = False
) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)
    for (registry_id, name), group in groupby(ordered(results), key=lambda r: (r.registry_id, r.registry_name)):
        rows = list(group)
        tally = counts(rows)
        # Text, not markup: evidence reads `path = value [explicit]`, which markup would take for a style tag.
        console.print(Text.assemble((name, "bold"), f"  {registry_id}"))
        console.print(Text("  ".join(f"{status}: {n}" for status, n in tally.items())))
        table = Table(header_style="bold", show_lines=False)
        for column in ("Rule", "Severity", "Status", "Title", "Finding and evidence"):
            table.add_column(column, overflow="fold")
        for result in rows:
            status = effective_status(result)
            if status == "PASS" and not show_passed:
                continue
            detail = result.message
            if result.evidence:
                detail += "\n" + "\n".join(evidence_text(e) for e in result.evidence)
            if result.suppression_note:
                detail += f"\n{result.suppression_note}"
            table.add_row(
                Text(result.rule.id),
                Text(result.rule.severity.value),
                Text(status, style=_STYLE[status]),
                Text(result.rule.title),
                Text(detail),
            )
        console.print(table)
        console.print()
    return buffer.getvalue().encode()
