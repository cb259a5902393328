"""`regwarden purge` through the CLI against the real registry: the dry-run table and JSON, --apply with its exit
code, and the mistakes a user can make, each a clean error with its exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.oci.client import RegistryClient
from tests.cli.cli_support import assert_clean_failure, invoke, run_process
from tests.lifecycle.purge_support import present, store_running
from tests.lifecycle.registry_images import push_image
from tests.support.registry import RunningRegistry

pytestmark = pytest.mark.registry


@pytest.fixture
def client(registry: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(registry.host, insecure=True) as opened:
        yield opened


def test_the_dry_run_says_what_goes_what_is_held_back_and_why(client: RegistryClient, tmp_path: Path) -> None:
    repo = "cli-purge/web"
    old, live = push_image(client, repo, ("1.0",), age=40), push_image(client, repo, ("0.9",), age=60)
    push_image(client, repo, ("1.1",), age=1)
    store_running(tmp_path / "db.sqlite", {live.digest: "web"}).close()
    args = ["purge", client.registry, "--filter", f"{repo}:.*", "--ago", "7d", "--insecure"]
    outcome = invoke([*args, "--db", str(tmp_path / "db.sqlite")])
    assert outcome.code == 0, outcome.stderr
    assert "dry run: nothing was changed" in outcome.stdout
    assert f"{old.digest[:19]}" in outcome.stdout and "runs in aks-prod/shop/Deployment/web" in outcome.stdout
    assert "1 manifests to delete, 0 tags to remove, 2 manifests kept, 1 held back (1 running)" in outcome.stdout
    document = json.loads(invoke([*args, "--db", str(tmp_path / "db.sqlite"), "-o", "json"]).stdout)
    assert document["dry_run"] is True and document["summary"]["held_by"] == {"running": 1}
    assert [(a["action"], a["digest"], a["tags"]) for a in document["actions"]] == [("delete", old.digest, ["1.0"])]
    assert document["criteria"]["filter"] == [f"{repo}:.*"] and document["criteria"]["ago"] == "7d"
    assert present(client, repo, old.digest)


def test_apply_deletes_and_writes_the_journal(client: RegistryClient, tmp_path: Path) -> None:
    repo = "cli-purge/api"
    old = push_image(client, repo, ("1.0",), age=40)
    journal = tmp_path / "journal.jsonl"
    args = ["purge", client.registry, "-f", f"{repo}:.*", "--ago", "7d", "--apply", "--journal", str(journal)]
    outcome = run_process([*args, "--insecure", "--db", str(tmp_path / "db.sqlite")], tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert "1 deleted" in outcome.stdout and f"journal: {journal}" in outcome.stdout
    assert not present(client, repo, old.digest)
    events = [json.loads(line)["event"] for line in journal.read_text().splitlines()]
    assert events == ["run", "planned", "started", "deleted", "finished"]


def test_apply_exits_4_when_an_action_could_not_be_done(client: RegistryClient, tmp_path: Path) -> None:
    repo = "cli-purge/untag"
    push_image(client, repo, ("1.0", "stable"), age=40)
    args = ["purge", client.registry, "-f", f"{repo}:^1", "--ago", "7d", "--apply", "--insecure"]
    outcome = run_process([*args, "--journal", str(tmp_path / "j.jsonl"), "--db", str(tmp_path / "db")], tmp_path)
    assert outcome.code == 4
    assert "1 action(s) not done" in outcome.stderr and "does not delete tag" in outcome.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "give --filter REPO_REGEX:TAG_REGEX and --ago DURATION"),
        (["-f", "web:.*"], "give --filter REPO_REGEX:TAG_REGEX and --ago DURATION"),
        (["-f", "web", "--ago", "1d"], "one separating colon"),
        (["-f", "web:.*", "--ago", "1y"], "is not a duration"),
        (["-f", "web:.*", "--ago", "1d", "--archive", "out"], "--archive and --journal are for --apply"),
        (["-f", "web:.*", "--ago", "1d", "--pulled-within", "7d"], "--pulled-within needs --logs"),
        (["-f", "web:.*", "--ago", "1d", "--logs", "x.json"], "--logs is read for --pulled-within"),
        (["--policy", "p.yaml", "-f", "web:.*"], "--policy replaces --filter"),
        (["--policy", "missing.yaml"], "cannot read policy file"),
    ],
)
def test_mistakes_are_bad_input(registry: RunningRegistry, tmp_path: Path, extra: list[str], message: str) -> None:
    outcome = invoke(["purge", registry.host, "--insecure", "--db", str(tmp_path / "db.sqlite"), *extra])
    assert (outcome.code, outcome.stdout) == (3, "")
    assert outcome.stderr.startswith("regwarden: error: ") and message in outcome.stderr


def test_a_mistake_is_one_error_line_and_exit_3(registry: RunningRegistry, tmp_path: Path) -> None:
    args = ["purge", registry.host, "--insecure", "--db", str(tmp_path / "db.sqlite"), "-f", "web", "--ago", "1d"]
    assert_clean_failure(run_process(args, tmp_path), 3, "one separating colon")
