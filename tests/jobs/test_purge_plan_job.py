"""The purge-plan job: a retention policy planned as a job (never applied), with the protections of `purge` (what
runs in a synced cluster stays), its summary as the job's result and the whole plan written where the job says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.cli_support import assert_clean_failure, run_process
from tests.jobs.scenario import DEMO_1_0, DEMO_1_0_DIGEST, DEMO_1_1, DEMO_1_1_DIGEST, PROD_CLUSTER
from tests.support.registry import RunningRegistry, push, start_registry, stop_registry


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    running = start_registry(tmp_path / "registry")
    yield running
    stop_registry(running)


def test_a_purge_plan_job_plans_keeps_what_runs_and_deletes_nothing(
    tmp_path: Path, own_registry: RunningRegistry
) -> None:
    host = own_registry.host
    push(f"oci-archive:{DEMO_1_0}", f"{host}/shop/web:1.0", "oci")  # runs in aks-prod-weu
    push(f"oci-archive:{DEMO_1_0}", f"{host}/shop/web:1.0-docker", "v2s2")  # runs nowhere
    push(f"oci-archive:{DEMO_1_1}", f"{host}/shop/web:1.1", "oci")
    policy = tmp_path / "retention.yaml"
    policy.write_text('rules:\n  - repositories: "shop/**"\n    tags: "1.1"\n    retain: always\n')
    env = {"REGWARDEN_DB": str(tmp_path / "inventory.db")}
    synced = run_process(
        ["sync", "k8s", "--from", str(PROD_CLUSTER), "--cluster", "aks-prod-weu", "--no-catalog"], tmp_path, env
    )
    assert synced.code == 0, synced.stderr

    plan_file = tmp_path / "plans" / "shop.json"
    args = ["jobs", "submit", "purge-plan", host, "--insecure", "--policy", str(policy), "--plan-file", str(plan_file)]
    outcome = run_process([*args, "-o", "json"], tmp_path, env)
    assert outcome.code == 0, outcome.stderr
    [job] = json.loads(outcome.stdout)["jobs"]
    assert (job["kind"], job["state"]) == ("purge-plan", "succeeded")
    assert job["result"].startswith(f"{host}: 1 manifests to delete, 0 tags to remove, 2 kept")
    assert job["result"].endswith(f"plan in {plan_file}")

    plan = json.loads(plan_file.read_text())
    assert plan["dry_run"] is True
    [deleted] = [action for action in plan["actions"] if action["action"] == "delete"]
    assert (deleted["tags"], deleted["digest"] in (DEMO_1_0_DIGEST, DEMO_1_1_DIGEST)) == (["1.0-docker"], False)
    kept = {entry["digest"]: entry for entry in plan["kept"]}
    assert set(kept) == {DEMO_1_0_DIGEST, DEMO_1_1_DIGEST}
    assert kept[DEMO_1_0_DIGEST]["held"]  # no rule retains it, but it runs in aks-prod-weu: never deleted
    assert "running" in {reason["kind"] for reason in kept[DEMO_1_0_DIGEST]["reasons"]}
    listed = httpx.get(own_registry.url + "/v2/shop/web/tags/list").json()
    assert sorted(listed["tags"]) == ["1.0", "1.0-docker", "1.1"]  # a plan deletes nothing


def test_a_purge_plan_needs_a_policy_that_reads(tmp_path: Path) -> None:
    env = {"REGWARDEN_DB": str(tmp_path / "inventory.db")}
    missing = run_process(["jobs", "submit", "purge-plan", "localhost:5000"], tmp_path, env)
    assert_clean_failure(missing, 3, "purge-plan takes --policy FILE")
    broken = tmp_path / "retention.yaml"
    broken.write_text("rules: [{repositories: 'shop/**', retain: {latest_pushed: many}}]\n")
    outcome = run_process(["jobs", "submit", "purge-plan", "localhost:5000", "--policy", str(broken)], tmp_path, env)
    assert outcome.code == 3 and "latest_pushed" in outcome.stderr
    assert json.loads(run_process(["jobs", "-o", "json"], tmp_path, env).stdout)["jobs"] == []  # nothing recorded
