"""`purge --policy FILE` (a retention policy) and `--pulled-within` with ACR repository-event logs, against the real
registry through the CLI: the same plan format, pulls read from a Log Analytics export (by digest, or by tag)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.oci.client import RegistryClient
from tests.cli.cli_support import invoke
from tests.lifecycle.purge_support import store_running
from tests.lifecycle.registry_images import days_ago, push_image
from tests.support.registry import RunningRegistry

pytestmark = pytest.mark.registry
REPO = "policy/web"
POLICY = """
rules:
  - repositories: "policy/**"
    retain: {latest_pushed: 2}
  - repositories: "policy/*"
    tags: "release-*"
    retain: always
"""


@pytest.fixture
def client(registry: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(registry.host, insecure=True) as opened:
        yield opened


def pull(client: RegistryClient, days: float, *, digest: str = "", tag: str = "") -> dict[str, object]:
    """One row of ContainerRegistryRepositoryEvents as a Log Analytics export writes it."""
    return {
        "TimeGenerated": days_ago(days),
        "Category": "ContainerRegistryRepositoryEvents",
        "OperationName": "Pull",
        "LoginServer": client.registry,
        "Repository": REPO,
        "Tag": tag,
        "Digest": digest,
        "ResultType": "200",
        "Type": "ContainerRegistryRepositoryEvents",
    }


def test_a_policy_and_the_pull_logs_decide_together(client: RegistryClient, tmp_path: Path) -> None:
    release = push_image(client, REPO, ("release-1",), age=90)
    builds = {n: push_image(client, REPO, (f"build-{n}",), age=age) for n, age in ((1, 50), (2, 40), (3, 3), (4, 2))}
    dev = push_image(client, REPO, ("dev-1",), age=20)
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    store_running(tmp_path / "db.sqlite", {}).close()
    args = ["purge", client.registry, "--policy", str(tmp_path / "policy.yaml"), "--insecure", "-o", "json"]
    args += ["--db", str(tmp_path / "db.sqlite")]

    plan = json.loads(invoke(args).stdout)
    assert plan["mode"] == "policy"
    assert {a["digest"] for a in plan["actions"]} == {builds[1].digest, builds[2].digest, dev.digest}
    reasons = {k["digest"]: k["reasons"][0]["detail"] for k in plan["kept"]}
    assert reasons[release.digest].startswith("retained by rule 2")
    assert reasons[builds[4].digest].startswith("retained by rule 1")

    logs = tmp_path / "repository-events.jsonl"
    rows = [pull(client, 1, digest=builds[1].digest), pull(client, 2, tag="dev-1"), pull(client, 30, tag="build-2")]
    logs.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    guarded = json.loads(invoke([*args, "--pulled-within", "7d", "--logs", str(logs)]).stdout)
    assert {a["digest"] for a in guarded["actions"]} == {builds[2].digest}
    held = {k["digest"]: [r["kind"] for r in k["reasons"]] for k in guarded["kept"] if k["held"]}
    assert held == {builds[1].digest: ["pulled"], dev.digest: ["pulled"]}
    assert guarded["criteria"]["pulled-within"] == "7d"
    assert any("pulls read from 3 repository-event records" in note for note in guarded["notes"])
    assert not any("do not cover all of --pulled-within" in note for note in guarded["notes"])
    assert any(note.startswith("running images checked in 1 cluster(s): aks-prod") for note in guarded["notes"])


def test_without_a_synced_cluster_the_plan_says_what_it_could_not_check(client: RegistryClient, tmp_path: Path) -> None:
    push_image(client, "policy/lonely", ("1",), age=90)
    args = ["purge", client.registry, "-f", "policy/lonely:.*", "--ago", "1d", "--insecure", "-o", "json"]
    plan = json.loads(invoke([*args, "--db", str(tmp_path / "empty.sqlite")]).stdout)
    assert "no cluster is synced in the inventory: what runs could not be checked (sync k8s first)" in plan["notes"]
