"""Posture results as JSON: every result with its rule metadata and evidence.

The output is exactly `json.dumps(document, indent=2, default=str)`, but assembled from pieces: the standard
library's indenting encoder is pure Python and took seconds on 35,000 results. Indented JSON composes (a
nested value is its own indented text with every later line shifted by its depth), so each result is built
from the rule's metadata rendered once per rule, compact-encoded scalars, and evidence values rendered alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from regwarden import __version__
from regwarden.gc_pause import cyclic_gc_paused
from regwarden.posture.engine import RuleResult
from regwarden.posture.rule import Evidence, RuleMeta
from regwarden.report.posture_common import counts, effective_status, ordered

_RULE_KEYS = ("rule", "slug", "title", "severity", "category")
_TAIL_KEYS = ("remediation", "references")


def render_posture_json(results: Sequence[RuleResult]) -> bytes:
    head = {"tool": {"name": "regwarden", "version": __version__}, "summary": counts(results)}
    text = json.dumps(head, indent=2, default=str)
    if not results:
        return text[:-2].encode() + b',\n  "results": []\n}\n'
    with cyclic_gc_paused():  # tens of thousands of short strings, no cycles
        writer = _Writer()
        body = ",\n    ".join(writer.result(result) for result in ordered(results))
    return f'{text[:-2]},\n  "results": [\n    {body}\n  ]\n}}\n'.encode()


class _Writer:
    """Renders results, reusing what repeats: a rule's own fields, and evidence values shared by rules."""

    def __init__(self) -> None:
        self._rules: dict[str, tuple[str, str]] = {}
        self._values: dict[int, str] = {}
        """id() of an evidence value → its text; the results keep every value alive while rendering."""

    def result(self, result: RuleResult) -> str:
        """One result at depth 2 of the document (inside `results`), without its leading indent."""
        parts = self._rules.get(result.rule.id)
        if parts is None:
            parts = self._rules[result.rule.id] = _rule_parts(result.rule)
        head, tail = parts
        return (
            f"{{\n{head}"
            f'      "registry": {{\n        "name": {_scalar(result.registry_name)},\n'
            f'        "id": {_scalar(result.registry_id)}\n      }},\n'
            f'      "status": {_scalar(result.status.value)},\n'
            f'      "effectiveStatus": {_scalar(effective_status(result))},\n'
            f'      "message": {_scalar(result.message)},\n'
            f'      "evidence": {self._evidence(result.evidence)},\n'
            f'      "suppression": {_scalar(result.suppression_note)},\n'
            f"{tail}\n    }}"
        )

    def _evidence(self, evidence: Sequence[Evidence]) -> str:
        if not evidence:
            return "[]"
        items = [
            "{\n"
            f'          "path": {_scalar(e.path)},\n'
            f'          "value": {self._value(e.value)},\n'
            f'          "source": {_scalar(e.source.value)},\n'
            f'          "origin": {_scalar(e.origin)},\n'
            f'          "reason": {_scalar(e.reason)}\n'
            "        }"
            for e in evidence
        ]
        return "[\n        " + ",\n        ".join(items) + "\n      ]"

    def _value(self, value: Any) -> str:
        if value is None or isinstance(value, str):
            return _scalar(value)
        text = self._values.get(id(value))
        if text is None:
            text = self._values[id(value)] = _nested(value, 5)
        return text


def _rule_parts(rule: RuleMeta) -> tuple[str, str]:
    """The rule's own fields, the same in every result of that rule: the lines before and after the rest."""
    meta = _rule_fields(rule)
    head = "".join(f"      {_scalar(key)}: {_nested(meta[key], 3)},\n" for key in _RULE_KEYS)
    tail = ",\n".join(f"      {_scalar(key)}: {_nested(meta[key], 3)}" for key in _TAIL_KEYS)
    return head, tail


def _rule_fields(rule: RuleMeta) -> dict[str, Any]:
    return {
        "rule": rule.id,
        "slug": rule.slug,
        "title": rule.title,
        "severity": rule.severity.value,
        "category": rule.category,
        "remediation": {
            "az": rule.remediation.az,
            "bicep": rule.remediation.bicep,
            "terraform": rule.remediation.terraform,
        },
        "references": [{"anchor": r.anchor, "id": r.id} for r in rule.references],
    }


def _scalar(value: str | None) -> str:
    return "null" if value is None else encode_basestring_ascii(value)


def _nested(value: Any, depth: int) -> str:
    """`value` as it reads `depth` levels deep in a document indented by two spaces."""
    if value is None or isinstance(value, str):
        return _scalar(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)  # what the encoder writes for ints and int subclasses alike
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        pad = "\n" + "  " * (depth + 1)
        items = ("," + pad).join(_nested(item, depth + 1) for item in value)
        return f"[{pad}{items}\n{'  ' * depth}]"
    if isinstance(value, float | dict):
        return json.dumps(value, indent=2, default=str).replace("\n", "\n" + "  " * depth)
    return _scalar(str(value))  # the encoder's `default=str` for model objects
