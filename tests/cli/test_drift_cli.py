"""`regwarden drift` through its Typer command on a real inventory: the JSON shape, the table, and exit codes
(0 for a report, 1 with --fail-on when a named list has an entry, 3 for a bad option, 8 with no cluster)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
import typer
from typer.testing import CliRunner

from regwarden.cli.drift_cmd import drift
from regwarden.cli.errors import GuardedGroup
from regwarden.store import open_store
from tests.cli.cli_support import Outcome
from tests.inventory.scenario import DEMO_1_1_DIGEST, DEMO_DIGEST, import_v1
from tests.inventory.test_drift import build_cluster


def _app() -> typer.Typer:
    app = typer.Typer(cls=GuardedGroup)

    @app.callback()
    def root() -> None:
        """Stand-in for the regwarden root group."""

    app.command("drift")(drift)
    return app


def run(args: Sequence[str]) -> Outcome:
    result = CliRunner().invoke(_app(), ["drift", *args], env={"REGWARDEN_DB": None}, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        build_cluster(store)
    return db_url


def test_json_shape_and_a_report_exits_0(inventory: str) -> None:
    outcome = run(["--db", inventory, "-o", "json", "--severity", "critical"])
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert set(document) == {
        "generated_at", "max_db_age_days", "severities", "counts", "unknown", "moved", "fixable", "triaged", "stale",
        "not_evaluated", "warnings",
    }  # fmt: skip
    assert document["counts"] == {"unknown": 2, "moved": 3, "fixable": 2, "stale": 3}
    assert {(f["digest"], f["id"], f["severity"]) for f in document["fixable"]} == {
        (DEMO_DIGEST, "DEBIAN-CVE-2022-48174", "critical"),
        (DEMO_1_1_DIGEST, "DEBIAN-CVE-2022-48174", "critical"),
    }
    assert set(document["moved"][0]["workload"]) == {
        "cluster", "namespace", "kind", "name", "container", "image", "digest", "environment",
    }  # fmt: skip
    assert {m["tag"] for m in document["moved"]} == {"latest", "1"}


def test_fail_on_gates_only_the_named_lists(inventory: str) -> None:
    failed = run(["--db", inventory, "--fail-on", "fixable,moved"])
    assert failed.code == 1
    assert failed.stderr == "regwarden: drift found: moved 3, fixable 5\n"
    assert "Tags that moved away from the running digest" in failed.stdout
    assert run(["--db", inventory, "--fail-on", "any", "-o", "json"]).code == 1


@pytest.mark.parametrize("args", [["--fail-on", "tags"], ["--severity", "urgent"], ["--max-db-age", "0"]])
def test_bad_option_values_exit_3(inventory: str, args: list[str]) -> None:
    outcome = run(["--db", inventory, *args])
    assert (outcome.code, outcome.stdout) == (3, "")


def test_no_cluster_synced_exits_8(db_url: str) -> None:
    outcome = run(["--db", db_url])
    assert outcome.code == 8
    assert "no cluster has been synced" in outcome.stderr
