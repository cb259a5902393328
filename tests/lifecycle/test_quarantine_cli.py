"""`regwarden quarantine serve | list` and `promote --posture-from` through the CLI: what the worker refuses to start
with, the records as JSON, and the registry posture as a further gate condition."""

from __future__ import annotations

import json
import re
from pathlib import Path

from regwarden.store import open_store
from tests.cli.cli_support import assert_clean_failure, invoke, run_process
from tests.lifecycle.conftest import DEMO_1_1, SAMPLES, Pushed, quarantine_event

SECRET = {"REGWARDEN_QUARANTINE_SECRET": "0123456789abcdef0123"}


def test_serve_refuses_to_start_without_what_it_needs(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    base = ["quarantine", "serve", "--registry", "myreg.azurecr.io", "--db", db]
    no_policy = tmp_path / "no-such-policy.yaml"
    signature = run_process([*base, "--signature-policy", str(no_policy)], tmp_path, SECRET)
    assert_clean_failure(signature, 3, f"cannot read the policy {no_policy}")
    orphan = run_process([*base, "--trust-store", str(tmp_path)], tmp_path, SECRET)
    assert_clean_failure(orphan, 3, "--trust-store belongs to --signature-policy")
    assert_clean_failure(run_process(base, tmp_path), 3, "secret must be at least 16 characters")
    weak = {"REGWARDEN_QUARANTINE_SECRET": "short"}
    assert_clean_failure(run_process(base, tmp_path, weak), 3, "at least 16 characters")
    assert_clean_failure(run_process([*base, "--listen", "8088"], tmp_path, SECRET), 3, "expected HOST:PORT")
    missing = tmp_path / "no-such-export.json"
    assert_clean_failure(run_process([*base, "--posture-from", str(missing)], tmp_path, SECRET), 3, str(missing))


def test_list_shows_the_records_as_json(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(db) as store:
        from regwarden.service.quarantine import receive_webhook

        receive_webhook(store, quarantine_event("myreg.azurecr.io", "shop/web", DEMO_1_1, "1.4"), {"myreg.azurecr.io"})
    outcome = run_process(["quarantine", "list", "--db", db, "-o", "json"], tmp_path)
    assert outcome.code == 0, outcome.stderr
    (check,) = json.loads(outcome.stdout)["checks"]
    assert {k: check[k] for k in ("registry", "repository", "digest", "tag", "status", "state", "attempts")} == {
        "registry": "myreg.azurecr.io",
        "repository": "shop/web",
        "digest": DEMO_1_1,
        "tag": "1.4",
        "status": "pending",
        "state": None,
        "attempts": 0,
    }
    table = run_process(["quarantine", "list", "--db", db], tmp_path)
    assert "myreg.azurecr.io/shop/web:1.4" in table.stdout and "pending" in table.stdout


def test_the_registry_posture_is_a_further_condition_of_the_gate(
    quarantined: Pushed, advisory_db: str, tmp_path: Path
) -> None:
    host = quarantined.host
    common = ["--require-pass", "--db", advisory_db, "--insecure", "-o", "json", "--posture-config"]
    common.append(str(SAMPLES / "acr" / "posture.yaml"))
    weak = ["--posture-from", str(SAMPLES / "acr" / "weak-registry.json")]
    hardened = ["--posture-from", str(SAMPLES / "acr" / "hardened-registry.json")]

    refused = run_process(
        ["promote", f"{host}/quarantine/demo:1.1", f"{host}/release/posture", *common, *weak], tmp_path
    )
    passed = run_process(
        ["promote", f"{host}/quarantine/demo:1.1", f"{host}/release/posture", *common, *hardened], tmp_path
    )

    assert refused.code == 1, refused.stderr
    gate = json.loads(refused.stdout)["gate"]
    assert [image["passed"] for image in gate["images"]] == [True]
    (condition,) = gate["conditions"]
    assert (condition["name"], condition["passed"]) == ("registry posture (--fail-on high)", False)
    assert gate["reasons"] == [f"registry posture (--fail-on high) failed: {condition['detail']}"]
    assert passed.code == 0, passed.stderr
    assert json.loads(passed.stdout)["gate"]["conditions"][0]["passed"] is True


def test_the_recorded_posture_is_a_further_condition_of_the_gate(
    quarantined: Pushed, advisory_db: str, tmp_path: Path
) -> None:
    config, weak, hardened = (
        SAMPLES / "acr" / name for name in ("posture.yaml", "weak-registry.json", "hardened-registry.json")
    )
    audit = ["audit", "acr", "--config", str(config), "--from", str(weak), "--from", str(hardened), "--fail-on", "none"]
    assert invoke([*audit, "--record", "--db", advisory_db]).code == 0
    host = quarantined.host
    common = ["--require-pass", "--db", advisory_db, "--insecure", "-o", "json"]

    def conditions(registry_name: str) -> list[tuple[str, bool, str]]:
        outcome = invoke(
            [
                "promote",
                f"{host}/quarantine/demo:1.1",
                f"{host}/release/recorded",
                *common,
                "--posture-recorded",
                registry_name,
            ]
        )
        gate = json.loads(outcome.stdout)["gate"]
        assert outcome.code == (0 if gate["passed"] else 1)
        return [(c["name"], c["passed"], c["detail"]) for c in gate["conditions"]]

    (weak_condition,) = conditions("shopacr")
    assert weak_condition[:2] == ("recorded posture of shopacr (--fail-on high)", False)
    assert re.fullmatch(r"run 1 of \d{4}-\d\d-\d\d \d\d:\d\d UTC: \d+ rule\(s\) fail: .+", weak_condition[2])
    (hardened_condition,) = conditions("platformacr")
    assert hardened_condition[:2] == ("recorded posture of platformacr (--fail-on high)", True)
    assert conditions("nosuchacr") == [
        (
            "recorded posture of nosuchacr (--fail-on high)",
            False,
            "no recorded audit of a registry named 'nosuchacr': run `regwarden audit acr --record`",
        )
    ]
