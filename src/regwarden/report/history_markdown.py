"""`history -o markdown`, for a release note or a pull-request comment: the builds in order, then what each
compared build changed. Triaged vulnerabilities are listed with their decision and never counted."""

from __future__ import annotations

from regwarden.model.history import BuildStep, FindingDelta, HistoryReport
from regwarden.report.history_common import short_digest, state, tally


def render_history_markdown(report: HistoryReport) -> bytes:
    lines = [f"## History of `{report.name}`", ""]
    if not report.steps:
        return "\n".join([*lines, "The repository holds no digest yet.", ""]).encode()
    lines += ["| # | Digest | Seen | Created | State | Changes |", "|---|---|---|---|---|---|"]
    for number, step in enumerate(report.steps, start=1):
        build = step.build
        lines.append(
            f"| {number} | `{short_digest(build.digest)}` | {build.seen_at:%Y-%m-%d %H:%M} | {build.created or ''} | "
            f"{_escape(state(step))} | {_escape(tally(step))} |"
        )
    lines.append("")
    for number, step in enumerate(report.steps, start=1):
        if step.compared_with is not None and (step.packages or step.introduced or step.fixed):
            lines += _step_section(number, step)
    return "\n".join(lines).encode()


def _step_section(number: int, step: BuildStep) -> list[str]:
    lines = [f"### Build {number}: `{step.build.digest}`", "", f"Compared with `{step.compared_with}`.", ""]
    if step.packages:
        lines += ["| Change | Type | Package | Before | After |", "|---|---|---|---|---|"]
        lines += [
            f"| {d.kind} | {d.type} | {_escape(d.name)} | {_escape(', '.join(d.before) or '-')} | "
            f"{_escape(', '.join(d.after) or '-')} |"
            for d in step.packages
        ]
        lines.append("")
    for title, deltas in (("Introduced", step.introduced), ("Fixed", step.fixed)):
        if deltas:
            lines += [
                f"**{title}**",
                "",
                "| Vulnerability | Severity | Package | Version | Triage |",
                "|---|---|---|---|---|",
            ]
            lines += [_finding_row(delta) for delta in deltas]
            lines.append("")
    return lines


def _finding_row(delta: FindingDelta) -> str:
    decision = delta.triage
    triage = "" if decision is None else f"{decision.state.value} by {decision.author}: {decision.reason}"
    return (
        f"| {_escape(delta.vuln_id)} | {delta.severity} | {_escape(delta.package)} | {_escape(delta.version)} | "
        f"{_escape(triage)} |"
    )


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
