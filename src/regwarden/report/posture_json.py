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
    rule_parts: dict[str, tuple[str, str]] = {}
    rendered = []
    for result in ordered(results):
        parts = rule_parts.get(result.rule.id)
        if parts is None:
            parts = rule_parts[result.rule.id] = _rule_parts(result.rule)
        rendered.append(_result_text(result, parts))
    body = ",\n    ".join(rendered)
    return f'{text[:-2]},\n  "results": [\n    {body}\n  ]\n}}\n'.encode()


def _result_text(result: RuleResult, parts: tuple[str, str]) -> str:
    """One result at depth 2 of the document (inside `results`), without its leading indent."""
    head, tail = parts
    registry = (
        f'{{\n        "name": {_scalar(result.registry_name)},\n        "id": {_scalar(result.registry_id)}\n      }}'
    )
    fields = (
        ("registry", registry),
        ("status", _scalar(result.status.value)),
        ("effectiveStatus", _scalar(effective_status(result))),
        ("message", _scalar(result.message)),
        ("evidence", _evidence_text(result.evidence)),
        ("suppression", _scalar(result.suppression_note)),
    )
    middle = "".join(f'      "{key}": {value},\n' for key, value in fields)
    return f"{{\n{head}{middle}{tail}\n    }}"


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


def _evidence_text(evidence: Sequence[Evidence]) -> str:
    if not evidence:
        return "[]"
    items = [
        "{\n"
        f'          "path": {_scalar(e.path)},\n'
        f'          "value": {_nested(e.value, 5)},\n'
        f'          "source": {_scalar(e.source.value)},\n'
        f'          "origin": {_scalar(e.origin)},\n'
        f'          "reason": {_scalar(e.reason)}\n'
        "        }"
        for e in evidence
    ]
    return "[\n        " + ",\n        ".join(items) + "\n      ]"


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
