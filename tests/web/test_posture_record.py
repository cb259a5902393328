"""`audit acr --record`: each audit a run in the store; each registry's newest results, score and history."""

from __future__ import annotations

from datetime import UTC, datetime

from regwarden.posture.score import posture_score
from regwarden.service.posture_history import registry_posture, registry_postures
from regwarden.store import open_store
from tests.cli.cli_support import invoke
from tests.web.conftest import SAMPLES

WEAK = str(SAMPLES / "acr/weak-registry.json")
HARDENED = str(SAMPLES / "acr/hardened-registry.json")
CONFIG = str(SAMPLES / "acr/posture.yaml")


def test_the_score_weighs_severities_and_ignores_what_was_not_evaluated() -> None:
    assert posture_score([("critical", "PASS", False), ("low", "FAIL", False)]) == round(100 * 10 / 11, 1)
    assert posture_score([("high", "FAIL", False), ("high", "PASS", False)]) == 50.0
    assert posture_score([("high", "UNKNOWN", False), ("high", "SKIPPED", False), ("high", "FAIL", True)]) is None
    assert posture_score([("medium", "FAIL", True), ("medium", "PASS", False)]) == 100.0


def test_record_stores_every_result_with_evidence_and_the_newest_run_wins(db_url: str) -> None:
    first = invoke(["audit", "acr", "--config", CONFIG, "--from", WEAK, "--from", HARDENED, "--record", "--db", db_url])
    assert first.code == 1  # the weak registry fails the gate; recording does not change the exit code
    assert "recorded 70 results as posture run 1" in first.stderr
    second = invoke(["audit", "acr", "--config", CONFIG, "--from", HARDENED, "--record", "--db", db_url, "-o", "json"])
    assert second.code == 0
    with open_store(db_url) as store:
        postures = registry_postures(store)
        assert [(p.registry_name, p.run_id, p.score) for p in postures] == [
            ("shopacr", 1, 17.4),
            ("platformacr", 2, 100.0),
        ]
        shop, points = registry_posture(store, "shopacr")
        assert len(shop.results) == 35
        assert shop.counts == {"FAIL": 13, "UNKNOWN": 13, "PASS": 5, "SKIPPED": 3, "SUPPRESSED": 1}
        suppressed = [r for r in shop.results if r.suppressed]
        assert [(r.rule_id, r.note is not None) for r in suppressed] == [("RW-ACR-010", True)]
        _, platform_points = registry_posture(store, "platformacr")
        assert [(p.run_id, p.score, p.failing) for p in platform_points] == [(1, 100.0, 0), (2, 100.0, 0)]
        assert [p.run_id for p in points] == [1]
        trail = store.audit_log.recent(action="posture.record")
        assert [(e.target, e.detail) for e in trail] == [
            ("platformacr", {"results": 35, "run": 2}),
            ("platformacr, shopacr", {"results": 70, "run": 1}),
        ]


def test_without_record_nothing_is_stored(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    db = str(tmp_path / "p.db")
    assert invoke(["audit", "acr", "--config", CONFIG, "--from", HARDENED, "--db", db, "-o", "json"]).code == 0
    assert not Path(db).exists()  # --db alone does not even open the store


def test_recorded_times_are_utc(db_url: str) -> None:
    assert (
        invoke(["audit", "acr", "--config", CONFIG, "--from", HARDENED, "--record", "--db", db_url, "-o", "json"]).code
        == 0
    )
    with open_store(db_url) as store:
        (posture,) = registry_postures(store)
    assert posture.recorded_at.tzinfo is not None
    assert abs((datetime.now(UTC) - posture.recorded_at).total_seconds()) < 120
