"""`regwarden jobs`, `jobs submit`, `worker` and `beat` through the real CLI: jobs run in-process without a broker,
are listed by state (table and JSON), and mistakes and an unreachable broker are clear errors with exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_support import assert_clean_failure, run_process

REPO = Path(__file__).resolve().parents[2]
PROD = REPO / "samples" / "cluster" / "aks-prod.json"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"REGWARDEN_DB": str(tmp_path / "inventory.db"), **extra}


def test_jobs_run_in_process_without_a_broker_and_are_listed_by_state(tmp_path: Path) -> None:
    args = ["jobs", "submit", "sync-cluster", "--from", str(PROD), "--cluster", "aks-prod-weu", "--no-catalog"]
    submitted = run_process([*args, "-o", "json"], tmp_path, env(tmp_path))
    assert submitted.code == 0, submitted.stderr
    document = json.loads(submitted.stdout)
    [job] = document["jobs"]
    assert (document["runs"], document["counts"]) == ("in-process", None)
    assert (job["kind"], job["state"], job["attempts"]) == ("sync-cluster", "succeeded", 1)
    assert job["args"] == {
        "catalog": False,
        "cluster": "aks-prod-weu",
        "context": None,
        "from": str(PROD),
        "insecure": False,
    }
    assert job["result"].startswith("11 workloads, exposures 0 opened / 0 closed")

    failed = run_process(["jobs", "submit", "sync-registry", "127.0.0.1:9", "--insecure"], tmp_path, env(tmp_path))
    assert_clean_failure(failed, 4, "127.0.0.1:9")
    assert "│ failed" in failed.stdout  # the job's row is printed before the error

    listed = json.loads(run_process(["jobs", "-o", "json"], tmp_path, env(tmp_path)).stdout)
    assert [(j["kind"], j["state"]) for j in listed["jobs"]] == [("sync-registry", "failed")]  # not succeeded ones
    assert listed["counts"] == {"queued": 0, "running": 0, "retrying": 0, "succeeded": 1, "failed": 1}
    assert "Connection refused" in listed["jobs"][0]["error"]
    everything = json.loads(run_process(["jobs", "list", "--all", "-o", "json"], tmp_path, env(tmp_path)).stdout)
    assert [j["kind"] for j in everything["jobs"]] == ["sync-registry", "sync-cluster"]
    chosen = run_process(["jobs", "list", "--state", "succeeded"], tmp_path, env(tmp_path))
    assert chosen.code == 0 and "sync-cluster" in chosen.stdout and "sync-registry" not in chosen.stdout
    assert "jobs: 0 queued, 0 running, 0 retrying, 1 succeeded, 1 failed (in-process)" in chosen.stdout


def test_a_round_submitted_by_hand_runs_its_steps_here(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"watch:\n  clusters: [{{from: {PROD}, cluster: aks-prod-weu, catalog: false}}]\n")
    outcome = run_process(
        ["jobs", "submit", "watch-round", "--no-update", "--config", str(config), "-o", "json"], tmp_path, env(tmp_path)
    )
    assert outcome.code == 0, outcome.stderr
    [job] = json.loads(outcome.stdout)["jobs"]
    assert job["result"] == f"cluster {PROD}: succeeded; notifications: succeeded"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jobs", "submit", "catalog", "localhost:5000/apps/web:1.0"], "catalog takes an image by digest"),
        (["jobs", "submit", "catalog"], "catalog takes one image by digest, got 0 argument(s)"),
        (["jobs", "submit", "sync-registry", "a.io", "b.io"], "sync-registry takes one registry host, got 2"),
        (["jobs", "submit", "rematch"], "rematch takes the ids of the advisories"),
        (["jobs", "submit", "deliver-events", "now"], "deliver-events takes no arguments, got now"),
        (["jobs", "submit", "sync-cluster"], "sync-cluster: give one of --context and --from"),
        (["jobs", "--all", "--state", "failed"], "use --state or --all, not both"),
        (["worker"], "regwarden worker needs a broker: set REGWARDEN_BROKER"),
        (["beat"], "regwarden beat needs a broker: set REGWARDEN_BROKER"),
    ],
)
def test_mistakes_are_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    assert_clean_failure(run_process(args, tmp_path, env(tmp_path)), 3, message)


def test_a_broker_that_does_not_answer_fails_the_submission_so_the_next_one_sends_it(tmp_path: Path) -> None:
    down = env(tmp_path, REGWARDEN_BROKER="redis://127.0.0.1:9/0")  # nothing listens on port 9
    outcome = run_process(["jobs", "submit", "deliver-events"], tmp_path, down)
    assert_clean_failure(outcome, 4, "the job broker did not take job 1")
    [job] = json.loads(run_process(["jobs", "-o", "json"], tmp_path, down).stdout)["jobs"]
    assert (job["state"], job["attempts"]) == ("failed", 0)
    assert job["error"].startswith("the broker did not take the job: Error 111 connecting to 127.0.0.1:9")
    bad = run_process(["worker"], tmp_path, env(tmp_path, REGWARDEN_BROKER="amqp://rabbit//"))
    assert_clean_failure(bad, 3, "REGWARDEN_BROKER: unsupported broker 'amqp'")


def test_prune_forgets_finished_jobs(tmp_path: Path) -> None:
    assert run_process(["jobs", "submit", "deliver-events"], tmp_path, env(tmp_path)).code == 0
    kept = json.loads(run_process(["jobs", "prune", "-o", "json"], tmp_path, env(tmp_path)).stdout)
    assert kept["pruned"] == 0  # finished a moment ago: younger than the default 7 days
    outcome = run_process(["jobs", "prune", "--older-than", "0"], tmp_path, env(tmp_path))
    assert (outcome.code, outcome.stdout) == (0, "1 finished job(s) older than 0 forgotten\n")
    assert json.loads(run_process(["jobs", "--all", "-o", "json"], tmp_path, env(tmp_path)).stdout)["jobs"] == []


def test_a_watched_clusters_registries_may_be_plain_http(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"watch:\n  clusters: [{{from: {PROD}, cluster: aks-prod-weu, insecure: 1}}]\n")
    outcome = run_process(
        ["jobs", "submit", "watch-round", "--no-update", "--config", str(config)], tmp_path, env(tmp_path)
    )
    assert_clean_failure(outcome, 3, "watch.clusters[0].insecure: expected true or false")
    config.write_text(
        f"watch:\n  clusters: [{{from: {PROD}, cluster: aks-prod-weu, catalog: false, insecure: true}}]\n"
    )
    done = run_process(
        ["jobs", "submit", "watch-round", "--no-update", "--config", str(config)], tmp_path, env(tmp_path)
    )
    assert done.code == 0, done.stderr
    listed = json.loads(run_process(["jobs", "--all", "-o", "json"], tmp_path, env(tmp_path)).stdout)["jobs"]
    [cluster] = [job for job in listed if job["kind"] == "sync-cluster"]
    assert (cluster["args"]["insecure"], cluster["state"]) == (True, "succeeded")
