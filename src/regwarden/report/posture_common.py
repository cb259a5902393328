"""What every posture format shares: ordering, counting, and how evidence reads."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence

from regwarden.model.finding import Status
from regwarden.posture.engine import RuleResult
from regwarden.posture.rule import Evidence

STATUS_ORDER = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.SKIPPED: 3}


def ordered(results: Sequence[RuleResult]) -> list[RuleResult]:
    """Registries in input order; within one, failures first, most severe first, then by rule id."""
    first_seen: dict[str, int] = {}
    for result in results:
        first_seen.setdefault(result.registry_id, len(first_seen))
    return sorted(
        results,
        key=lambda r: (first_seen[r.registry_id], STATUS_ORDER[r.status], -r.rule.severity.rank, r.rule.id),
    )


def counts(results: Sequence[RuleResult]) -> dict[str, int]:
    tally = Counter(effective_status(result) for result in results)
    return {name: tally.get(name, 0) for name in ("FAIL", "UNKNOWN", "PASS", "SKIPPED", "SUPPRESSED")}


def effective_status(result: RuleResult) -> str:
    return "SUPPRESSED" if result.suppressed else result.status.value


def evidence_text(evidence: Evidence) -> str:
    value = "(none)" if evidence.value is None else _value_text(evidence.value)
    text = f"{evidence.path} = {value} [{evidence.source.value}]"
    if evidence.reason:
        text += f" ({evidence.reason})"
    return text


def _value_text(value: object) -> str:
    if isinstance(value, str | int | float | bool):
        return json.dumps(value)
    if isinstance(value, tuple | list):
        items = [_item_text(item) for item in value]
        shown = ", ".join(items[:_MAX_ITEMS]) + (f", … ({len(items)} in all)" if len(items) > _MAX_ITEMS else "")
        return f"[{shown}]"
    return _item_text(value)


_MAX_ITEMS = 5
_NAME_FIELDS = ("name", "principal_id", "id")


def _item_text(item: object) -> str:
    """A model object by its name (or principal id), not its full repr with every nested Value."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        for field in _NAME_FIELDS:
            if isinstance(label := getattr(item, field, None), str):
                return label
    if isinstance(item, str | int | float | bool) or item is None:
        return json.dumps(item)
    return str(item)
