"""`regwarden rules list|show`: rule metadata as a table and text for people, and as JSON for scripts."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

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
            ", ".join(_profiles(rule)),
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
        f"profiles: {', '.join(_profiles(rule))}\n\n"
        f"Rationale:\n  {rule.rationale}\n\n"
        f"Remediation (az):\n  {rule.remediation.az}\n\n"
        f"Remediation (Bicep):\n  {rule.remediation.bicep}\n\n"
        f"Remediation (Terraform):\n  {rule.remediation.terraform}\n\n"
        f"Equivalent checks:\n{references}\n"
    )
    return text.encode()


def render_rule_list_json(rules: Sequence[RuleMeta]) -> bytes:
    """`{"rules": [rule, ...]}`, each rule in full, as `render_rule_detail_json` writes it."""
    return _dump({"rules": [rule_document(rule) for rule in rules]})


def render_rule_detail_json(rule: RuleMeta) -> bytes:
    return _dump(rule_document(rule))


def rule_document(rule: RuleMeta) -> dict[str, Any]:
    """Every field of the rule's metadata; profiles sorted, references in the order the rule lists them."""
    return {
        "id": rule.id,
        "slug": rule.slug,
        "title": rule.title,
        "severity": rule.severity.value,
        "category": rule.category,
        "profiles": _profiles(rule),
        "rationale": rule.rationale,
        "remediation": {
            "az": rule.remediation.az,
            "bicep": rule.remediation.bicep,
            "terraform": rule.remediation.terraform,
        },
        "references": [{"anchor": r.anchor, "id": r.id} for r in rule.references],
    }


def _profiles(rule: RuleMeta) -> list[str]:
    return sorted(profile.value for profile in rule.profiles)


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
