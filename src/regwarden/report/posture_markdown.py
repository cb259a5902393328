"""Posture results as Markdown, for pull-request comments and wiki pages."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from regwarden.posture.engine import RuleResult
from regwarden.report.posture_common import counts, effective_status, evidence_text, ordered

_ICON = {"FAIL": "❌", "UNKNOWN": "❔", "PASS": "✅", "SKIPPED": "⏭️", "SUPPRESSED": "🔕"}


def render_posture_markdown(results: Sequence[RuleResult]) -> bytes:
    lines = ["# regwarden ACR posture", ""]
    tally = counts(results)
    lines += [" · ".join(f"{_ICON[status]} {status}: {n}" for status, n in tally.items()), ""]
    for (registry_id, name), group in groupby(ordered(results), key=lambda r: (r.registry_id, r.registry_name)):
        lines += [f"## {name}", "", f"`{registry_id}`", ""]
        lines += ["| Rule | Severity | Status | Title | Finding |", "|---|---|---|---|---|"]
        for result in group:
            status = effective_status(result)
            finding = result.message
            if result.evidence and status in ("FAIL", "UNKNOWN"):
                finding += "<br>" + "<br>".join(f"`{_escape(evidence_text(e))}`" for e in result.evidence)
            if result.suppression_note:
                finding += f"<br>{result.suppression_note}"
            lines.append(
                f"| {result.rule.id} | {result.rule.severity.value} | {_ICON[status]} {status} | "
                f"{_escape(result.rule.title)} | {_escape(finding)} |"
            )
        lines.append("")
    return "\n".join(lines).encode()


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
