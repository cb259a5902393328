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


DETAIL_LIMIT = 20
"""Above this many registries the table is one summary row per registry: 35 detailed rows for each of hundreds of
registries is unreadable in a terminal (and slow to lay out); json, sarif and markdown keep every finding."""


def render_posture_table(
    results: Sequence[RuleResult],
    *,
    show_passed: bool = True,
    width: int = 150,
    color: bool = False,
    detail_limit: int = DETAIL_LIMIT,
) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False)
    registries = {result.registry_id for result in results}
    if len(registries) > detail_limit:
        _summary(console, results, len(registries))
    else:
        _details(console, results, show_passed)
    return buffer.getvalue().encode()


def _summary(console: Console, results: Sequence[RuleResult], registries: int) -> None:
    console.print(
        Text(
            f"{registries} registries: one summary row each (more than {DETAIL_LIMIT}). "
            "Use -o json, sarif or markdown for every finding and its evidence, or --rule to narrow."
        )
    )
    table = Table(header_style="bold")
    for column in ("Registry", "FAIL", "UNKNOWN", "PASS", "SKIPPED", "SUPPRESSED", "Failed rules"):
        table.add_column(column, overflow="fold", justify="left" if column in ("Registry", "Failed rules") else "right")
    for (_, name), group in groupby(ordered(results), key=lambda r: (r.registry_id, r.registry_name)):
        rows = list(group)
        tally = counts(rows)
        failed = ", ".join(r.rule.id for r in rows if effective_status(r) == "FAIL")
        table.add_row(Text(name), *(Text(str(n)) for n in tally.values()), Text(failed or "-"))
    console.print(table)


def _details(console: Console, results: Sequence[RuleResult], show_passed: bool) -> None:
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
