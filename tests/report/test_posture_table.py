"""The posture table shows evidence exactly as written: `[explicit]` is provenance, not a style tag."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from regwarden.collect.loader import load_registries
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES
from regwarden.report.posture_table import render_posture_table

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "acr"


def test_evidence_keeps_its_bracketed_provenance() -> None:
    registries = load_registries([SAMPLES / "weak-registry.json"])
    admin = [rule for rule in ALL_RULES if rule.meta.id == "RW-ACR-001"]
    results = evaluate(registries, PostureConfig(), admin, today=date(2026, 11, 27))
    text = render_posture_table(results, width=200).decode()
    lines = [line for line in text.splitlines() if "properties.adminUserEnabled = true" in line]
    assert lines, text
    assert all("[explicit]" in line for line in lines), lines
    assert text.splitlines()[0].startswith(registries[0].name)


def test_many_registries_get_one_summary_row_each() -> None:
    registries = load_registries([SAMPLES / "weak-registry.json", SAMPLES / "hardened-registry.json"])
    results = evaluate(registries, PostureConfig(), today=date(2026, 11, 27))
    text = render_posture_table(results, width=250, detail_limit=1).decode()
    assert text.startswith("2 registries: one summary row each")
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.startswith("│ ")}
    assert set(rows) == {"shopacr", "platformacr"}
    failed_weak = {r.rule.id for r in results if r.registry_name == "shopacr" and r.status.value == "FAIL"}
    assert all(rule in rows["shopacr"] or rule in text for rule in failed_weak)
    assert "Finding and evidence" not in text  # no per-rule detail
