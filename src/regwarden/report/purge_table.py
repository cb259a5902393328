"""Purge plans and apply reports for a terminal: what goes and why, what the rules chose but regwarden holds back
(running, pulled, locked, …) and why, the tally, and every note on what could not be checked."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from regwarden.model.purge import ActionKind, ApplyReport, KeptManifest, Outcome, PurgeAction, PurgePlan
from regwarden.report.history_common import short_digest
from regwarden.report.purge_json import tally

MAX_ROWS = 100
"""Rows per table; JSON always has them all."""


def render_plan_table(plan: PurgePlan, *, width: int = 160) -> bytes:
    console, buffer = _console(width)
    console.print(f"Purge plan for {plan.registry} (dry run: nothing was changed; add --apply to act)")
    console.print("criteria: " + "  ".join(f"{key}={value}" for key, value in plan.criteria))
    _print_plan(console, plan)
    return buffer.getvalue().encode()


def render_apply_table(report: ApplyReport, *, width: int = 160) -> bytes:
    console, buffer = _console(width)
    plan = report.plan
    resumed = f", completing interrupted run {report.resumed}" if report.resumed else ""
    console.print(f"Purge of {plan.registry}: run {report.run_id}{resumed}")
    console.print("criteria: " + "  ".join(f"{key}={value}" for key, value in plan.criteria))
    _print_plan(console, plan)
    problems = [r for r in report.results if r.outcome in (Outcome.FAILED, Outcome.SKIPPED)]
    if problems:
        table = _table("Not done", ("Action", "Repository", "Digest", "Tags", "Outcome", "Why"))
        for result in problems[:MAX_ROWS]:
            action = result.action
            row = (action.kind.value, action.repository, short_digest(action.digest), ", ".join(action.tags))
            table.add_row(*row, result.outcome.value, result.detail)
        console.print(table)
        _more(console, len(problems))
    counts = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome if report.count(o))
    deletions = report.count(Outcome.DELETED)
    rate = f" ({deletions / report.seconds:.0f} deletions/s)" if deletions and report.seconds > 0 else ""
    console.print(f"applied in {report.seconds:.1f} s{rate}: {counts or 'nothing to do'}")
    archived = {r.archived for r in report.results if r.archived}
    if archived:
        console.print(f"archived to: {', '.join(sorted(archived))}")
    console.print(f"journal: {report.journal}")
    return buffer.getvalue().encode()


def _print_plan(console: Console, plan: PurgePlan) -> None:
    if plan.actions:
        console.print(_actions_table(plan.actions[:MAX_ROWS]))
        _more(console, len(plan.actions))
    held = [kept for kept in plan.kept if kept.held]
    if held:
        console.print(_held_table(held[:MAX_ROWS]))
        _more(console, len(held))
    counted = tally(plan)
    held_by = ", ".join(f"{count} {kind}" for kind, count in counted.held_by.items())
    console.print(
        f"{counted.repositories} repositories: {counted.delete} manifests to delete, {counted.untag} tags to "
        f"remove, {counted.kept} manifests kept" + (f", {counted.held} held back ({held_by})" if held else "")
    )
    for note in plan.notes:
        console.print(f"note: {note}")


def _actions_table(actions: Sequence[PurgeAction]) -> Table:
    table = _table("To delete, and why", ("Action", "Repository", "Digest", "Tags", "Why"))
    for action in actions:
        kind = action.kind.value + (" (unlock)" if action.unlock else "")
        tags = ", ".join(action.tags) if action.kind is ActionKind.UNTAG or action.tags else "(untagged)"
        table.add_row(kind, action.repository, short_digest(action.digest), tags, "; ".join(action.reasons))
    return table


def _held_table(held: Sequence[KeptManifest]) -> Table:
    table = _table("Held back: the rules select these, regwarden keeps them", ("Repository", "Digest", "Tags", "Why"))
    for kept in held:
        reasons = "; ".join(reason.detail for reason in kept.reasons)
        table.add_row(kept.repository, short_digest(kept.digest), ", ".join(kept.tags) or "(untagged)", reasons)
    return table


def _more(console: Console, total: int) -> None:
    if total > MAX_ROWS:
        console.print(f"… and {total - MAX_ROWS} more (-o json lists them all)")


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, markup=False, width=width, no_color=True, highlight=False), buffer
