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
