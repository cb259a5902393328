"""The posture JSON renderer writes byte for byte what `json.dumps(document, indent=2, default=str)` writes.

It assembles the text from pieces for speed; the reference here is the plain document, built field by field
from the results, dumped with the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from regwarden import __version__
from regwarden.collect.loader import load_registries
from regwarden.model.finding import Severity, Status
from regwarden.model.registry import ValueSource
from regwarden.posture.config import PostureConfig, Suppression
from regwarden.posture.engine import RuleResult, evaluate
from regwarden.posture.rule import Evidence, Remediation, RuleMeta
from regwarden.report.posture_common import counts, effective_status, ordered
from regwarden.report.posture_json import render_posture_json

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "acr"
CASES = Path(__file__).resolve().parents[1] / "posture" / "cases"


def reference(results: Sequence[RuleResult]) -> bytes:
    document = {
        "tool": {"name": "regwarden", "version": __version__},
        "summary": counts(results),
        "results": [
            {
                "rule": r.rule.id,
                "slug": r.rule.slug,
                "title": r.rule.title,
                "severity": r.rule.severity.value,
                "category": r.rule.category,
                "registry": {"name": r.registry_name, "id": r.registry_id},
                "status": r.status.value,
                "effectiveStatus": effective_status(r),
                "message": r.message,
                "evidence": [
                    {"path": e.path, "value": e.value, "source": e.source.value, "origin": e.origin, "reason": e.reason}
                    for e in r.evidence
                ],
                "suppression": r.suppression_note,
                "remediation": {
                    "az": r.rule.remediation.az,
                    "bicep": r.rule.remediation.bicep,
                    "terraform": r.rule.remediation.terraform,
                },
                "references": [{"anchor": ref.anchor, "id": ref.id} for ref in r.rule.references],
            }
            for r in ordered(results)
        ],
    }
    return json.dumps(document, indent=2, default=str).encode() + b"\n"


def audited(paths: list[Path]) -> list[RuleResult]:
    config = PostureConfig(
        suppressions=(
            Suppression("RW-ACR-010", "moving to Premium", date(2099, 1, 1), "shopacr"),
            Suppression("RW-ACR-001", "old", date(2020, 1, 1), "*"),
        )
    )
    return evaluate(load_registries(paths), config, today=date(2026, 11, 27))


@pytest.mark.parametrize(
    "paths",
    [
        [SAMPLES / "weak-registry.json", SAMPLES / "hardened-registry.json"],
        sorted(CASES.glob("RW-ACR-0[0-2]*/*.arm.json")),
        sorted(CASES.glob("*/*terraform*.tf"))[:20],
    ],
    ids=["samples", "arm-cases", "terraform-cases"],
)
def test_same_bytes_as_the_standard_library(paths: list[Path]) -> None:
    results = audited(paths)
    assert len(results) > 35
    assert {r.status for r in results} >= {Status.PASS, Status.FAIL, Status.UNKNOWN}
    assert any(r.suppressed for r in results) or "samples" not in str(paths)
    assert render_posture_json(results) == reference(results)


def odd_values() -> list[RuleResult]:
    """Evidence values of every JSON shape, text that needs escaping, and a rule without references."""
    meta = RuleMeta(
        id="RW-TEST-1",
        slug="odd",
        title='Quotes " and \\ and é',
        severity=Severity.LOW,
        category="test",
        rationale="",
        remediation=Remediation("az x", "bicep\ny", "tf\tz"),
    )
    values: list[Any] = [
        None,
        True,
        0,
        -7,
        1.5,
        float("inf"),
        "naïve\n",
        [],
        (),
        {},
        ("a", ("b", []), {"k": [1, {"n": None}]}),
        {"nested": {"deeper": ["x"]}, "": 2},
        date(2026, 1, 1),
        Severity.HIGH,
    ]
    evidence = tuple(Evidence(f"p{i}", v, ValueSource.EXPLICIT, "o") for i, v in enumerate(values))
    return [
        RuleResult(meta, "/id", "reg", Status.FAIL, "line1\nline2", evidence),
        RuleResult(meta, "/id2", "reg2", Status.PASS, "", (), suppression_note=None),
    ]


def test_odd_values_render_like_the_standard_library() -> None:
    results = odd_values()
    assert render_posture_json(results) == reference(results)


def test_no_results() -> None:
    assert render_posture_json([]) == reference([])
    assert json.loads(render_posture_json([]))["results"] == []
