"""Runs every per-rule data case: tests/posture/cases/<RULE-ID>/<expected>-<description>.<kind>.

Each file is loaded with `load_registries([file])`, only that rule is evaluated (with the sidecar
`<stem>.config.yaml` when present, and a fixed `today` so expiry cases are stable), and every registry in the
file must get the expected status.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from regwarden.collect.loader import load_registries
from regwarden.model.finding import Status
from regwarden.posture.config import PostureConfig, load_config
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES

CASES = Path(__file__).parent / "cases"
KINDS = (".arm.json", ".template.json", ".tfplan.json", ".tf")
TODAY = date(2026, 1, 15)
"""The date every case is evaluated on (token expiry, suppressions)."""


def case_kind(path: Path) -> str | None:
    return next((kind for kind in KINDS if path.name.endswith(kind)), None)


def discover() -> list[Path]:
    return sorted(p for p in CASES.glob("*/*") if p.is_file() and case_kind(p) is not None)


def expected_status(path: Path) -> Status:
    return Status[path.name.split("-", 1)[0].upper()]


def config_for(path: Path) -> PostureConfig:
    kind = case_kind(path) or ""
    sidecar = path.with_name(path.name[: -len(kind)] + ".config.yaml")
    return load_config(sidecar) if sidecar.exists() else PostureConfig()


@pytest.mark.parametrize("case", discover(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path) -> None:
    rule = next(r for r in ALL_RULES if r.meta.id == case.parent.name)
    registries = load_registries([case])
    assert registries, f"{case} holds no registry"
    results = evaluate(registries, config_for(case), [rule], today=TODAY)
    assert {(r.registry_name, r.status) for r in results} == {
        (registry.name, expected_status(case)) for registry in registries
    }, [r.message for r in results]
    assert all(r.message for r in results)


def test_case_names_are_well_formed() -> None:
    """Every file in cases/ is a case or a sidecar, in a folder named for a rule, with a known expectation."""
    rule_ids = {r.meta.id for r in ALL_RULES}
    for path in CASES.glob("*/*"):
        assert path.parent.name in rule_ids, path
        if path.name.endswith(".config.yaml"):
            continue
        assert case_kind(path) is not None, f"unknown case kind: {path}"
        assert path.name.split("-", 1)[0] in ("pass", "fail", "unknown", "skipped"), path
