"""Every baseline rule (parsed from docs/baseline.md) is implemented once, with complete metadata and "
"cases."""

from __future__ import annotations

import re
from pathlib import Path

from regwarden.model.finding import Severity
from regwarden.posture.config import Profile
from regwarden.posture.rules import ALL_RULES

BASELINE = Path(__file__).parents[2] / "docs" / "baseline.md"
CASES = Path(__file__).parent / "cases"
ROW = re.compile(r"^\| (RW-ACR-\d{3}) \| ([^|]+) \| ([^|]+) \| (\w+) \|", re.MULTILINE)


def baseline_rows() -> dict[str, tuple[str, str, str]]:
    """rule id → (title as written, passes-when text, severity)."""
    text = BASELINE.read_text(encoding="utf-8")
    return {m.group(1): (m.group(2).strip(), m.group(3), m.group(4)) for m in ROW.finditer(text)}


def test_every_baseline_rule_is_implemented_and_nothing_else() -> None:
    rows = baseline_rows()
    assert len(rows) == 35
    assert [r.meta.id for r in ALL_RULES] == sorted(rows)


def test_severity_and_profiles_match_the_baseline() -> None:
    rows = baseline_rows()
    for rule in ALL_RULES:
        title, passes_when, severity = rows[rule.meta.id]
        assert rule.meta.severity is Severity.parse(severity), rule.meta.id
        in_dev = Profile.DEV in rule.meta.profiles
        assert in_dev == ("(prod)" not in title and "`regulated` only" not in passes_when), rule.meta.id
    regulated_only = [r.meta.id for r in ALL_RULES if r.meta.profiles == frozenset({Profile.REGULATED})]
    assert regulated_only == ["RW-ACR-027"]


def test_metadata_is_complete_and_unique() -> None:
    slugs = [r.meta.slug for r in ALL_RULES]
    assert len(set(slugs)) == len(slugs)
    for rule in ALL_RULES:
        meta = rule.meta
        assert re.fullmatch(r"[a-z0-9-]+", meta.slug), meta.id
        assert meta.title and len(meta.rationale) > 40, meta.id
        assert meta.category in {"access", "network", "supply-chain", "logging", "resilience", "hygiene"}, meta.id
        assert meta.remediation.az and meta.remediation.bicep and meta.remediation.terraform, meta.id
        assert Profile.REGULATED in meta.profiles, meta.id  # regulated is a superset of production


def test_anchored_rules_name_their_anchors() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    for rule in ALL_RULES:
        anchors = next(line for line in text.splitlines() if line.startswith(f"| {rule.meta.id} "))
        if anchors.rstrip(" |").endswith("none"):
            continue
        assert rule.meta.references, f"{rule.meta.id} has anchors in the baseline but no references"


def test_every_rule_has_pass_fail_and_unknown_cases() -> None:
    for rule in ALL_RULES:
        names = [p.name for p in (CASES / rule.meta.id).iterdir()]
        for expected in ("pass", "fail", "unknown"):
            assert any(n.startswith(f"{expected}-") for n in names), f"{rule.meta.id} lacks a {expected} case"
        assert any(n.endswith(".arm.json") for n in names), f"{rule.meta.id} lacks an arm.json case"
