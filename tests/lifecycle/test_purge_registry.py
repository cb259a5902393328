"""Purge against the real registry (CNCF distribution, deletes enabled): a plan from tags and image creation times,
referrers through the tag schema, what runs held back, then --apply with the journal and an archive that restores
every deleted manifest byte for byte."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from regwarden.lifecycle.archive import verify_archive
from regwarden.lifecycle.journal import read_runs
from regwarden.model.purge import ActionKind, ApplyReport, Outcome, PurgeCriteria, PurgePlan
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import RegistryClient
from regwarden.oci.retry import RetryPolicy
from regwarden.service.images import ImageOptions
from regwarden.service.purge import PurgeRequest, purge
from regwarden.service.purge_apply import ApplyOptions
from regwarden.store import Store
from tests.lifecycle.purge_support import present, store_running
from tests.lifecycle.registry_images import NOW, push_image, push_index, push_signature
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, proxy_to

pytestmark = pytest.mark.registry
FAST = RetryPolicy(max_attempts=2, base_delay=0.01)


@pytest.fixture
def client(registry: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(registry.host, insecure=True, retry=FAST) as opened:
        yield opened


def request(filters: tuple[str, ...], ago: int = 7, **flags: bool) -> PurgeRequest:
    criteria = PurgeCriteria(filters, timedelta(days=ago), untagged=flags.get("untagged", False))
    return PurgeRequest(criteria=criteria, image=ImageOptions(insecure=True), concurrency=4)


def plan_of(store: Store, client: RegistryClient, wanted: PurgeRequest) -> PurgePlan:
    result = purge(store, client.registry, wanted, client=client, now=NOW)
    assert isinstance(result, PurgePlan)
    return result


def test_a_plan_reads_creation_times_tags_and_referrers_and_holds_back_what_runs(
    client: RegistryClient, tmp_path: Path
) -> None:
    repo = "purge-plan/web"
    old = push_image(client, repo, ("1.0",), age=40)
    signature = push_signature(client, repo, old)
    newer = push_image(client, repo, ("1.1",), age=30)
    fresh = push_image(client, repo, ("1.2", "latest"), age=1)
    live = push_image(client, repo, ("0.9",), age=50)
    amd64, arm64 = push_image(client, repo, age=40), push_image(client, repo, age=40, architecture="arm64")
    index = push_index(client, repo, ("multi-1",), [amd64, arm64], age=45)
    with store_running(tmp_path / "db.sqlite", {live.digest: "web"}) as store:
        plan = plan_of(store, client, request((f"{repo}:.*",), untagged=True))
    deleted = {a.digest: a for a in plan.actions if a.kind is ActionKind.DELETE}
    assert set(deleted) == {old.digest, signature.digest, newer.digest, index.digest, amd64.digest, arm64.digest} | {
        _tag_schema_index(client, repo, old.digest)
    }
    assert deleted[signature.digest].goes_with == old.digest
    assert deleted[signature.digest].wave < deleted[old.digest].wave
    assert deleted[index.digest].wave < deleted[amd64.digest].wave
    held = {k.digest: k for k in plan.kept if k.held}
    assert set(held) == {live.digest}
    assert held[live.digest].reasons[0].detail == "runs in aks-prod/shop/Deployment/web"
    assert fresh.digest in {k.digest for k in plan.kept if not k.held}
    assert any("records no push or update times" in note for note in plan.notes)


def test_apply_deletes_the_plan_journals_it_and_archives_every_manifest_first(
    client: RegistryClient, tmp_path: Path
) -> None:
    repo = "purge-apply/api"
    old = push_image(client, repo, ("2.0", "2"), age=40)
    signature = push_signature(client, repo, old)
    child = push_image(client, repo, age=40)
    index = push_index(client, repo, ("multi",), [child], age=40)
    kept = push_image(client, repo, ("2.1",), age=2)
    journal, archive = tmp_path / "journal.jsonl", tmp_path / "archive"
    with store_running(tmp_path / "db.sqlite", {}) as store:
        report = purge(
            store,
            client.registry,
            request((f"{repo}:^2|multi",), untagged=True),
            apply=ApplyOptions(journal=journal, archive=archive, workers=4),
            client=client,
            now=NOW,
        )
    assert isinstance(report, ApplyReport)
    assert [(r.outcome, r.detail) for r in report.results if r.outcome is not Outcome.DELETED] == []
    assert report.count(Outcome.DELETED) == 5
    for gone in (old, signature, child, index):
        assert not present(client, repo, gone.digest)
    assert present(client, repo, kept.digest)
    run = read_runs(journal)[report.run_id]
    assert run.finished and not run.pending()
    assert {key[2] for key, outcome in run.outcomes.items() if outcome == "deleted"} == {
        a.digest for a in report.plan.deletions
    }
    verified, problems = verify_archive(archive)
    assert problems == [] and verified >= 9
    layout = json.loads((archive / repo / "index.json").read_text())
    names = {e["annotations"].get("org.opencontainers.image.ref.name") for e in layout["manifests"]}
    assert {"2.0", "2", "multi"} <= names
    for action in report.plan.deletions:
        stored = (archive / repo / "blobs" / "sha256" / action.digest.split(":")[1]).read_bytes()
        assert compute_digest(stored) == action.digest
    for tag, original in (("2.0", old), ("multi", index)):  # nothing lost: each image goes back, byte for byte
        restore = ["skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false"]
        source, target = f"oci:{archive / repo}:{tag}", f"docker://{client.registry}/restored/api:{tag}"
        subprocess.run([*restore, source, target], check=True, capture_output=True)
        assert client.head_manifest("restored/api", tag).digest == original.digest


def test_a_tag_alone_cannot_be_removed_from_distribution_and_that_is_reported_not_hidden(
    client: RegistryClient, tmp_path: Path
) -> None:
    repo = "purge-untag/web"
    image = push_image(client, repo, ("1.0", "stable"), age=40)
    with store_running(tmp_path / "db.sqlite", {}) as store:
        report = purge(
            store,
            client.registry,
            request((f"{repo}:^1",)),
            apply=ApplyOptions(journal=tmp_path / "journal.jsonl"),
            client=client,
            now=NOW,
        )
    assert isinstance(report, ApplyReport)
    assert [(r.action.kind, r.outcome) for r in report.results] == [(ActionKind.UNTAG, Outcome.FAILED)]
    assert "does not delete tag" in report.results[0].detail
    assert present(client, repo, image.digest) and set(client.list_tags(repo)) == {"1.0", "stable"}


def _tag_schema_index(client: RegistryClient, repo: str, subject: str) -> str:
    return client.head_manifest(repo, subject.replace(":", "-")).digest


def test_a_plain_registry_is_read_only_as_far_as_the_filter_needs(registry: RunningRegistry, tmp_path: Path) -> None:
    repo = "purge-cheap/web"
    with RegistryClient(registry.host, insecure=True, retry=FAST) as direct:
        wanted = [push_image(direct, repo, (f"old-{n}",), age=40) for n in range(2)]
        others = [push_image(direct, repo, (f"keep-{n}",), age=40) for n in range(6)]
    seen: list[tuple[str, str]] = []

    def forward(request: Request) -> Reply:
        seen.append((request.method, request.path))
        return proxy_to(registry, request)

    store = store_running(tmp_path / "db.sqlite", {})
    with store, LocalServer(forward) as front, RegistryClient(front.host, insecure=True, retry=FAST) as client:
        plan = plan_of(store, client, request((f"{repo}:^old-",)))
    assert {a.digest for a in plan.deletions} == {image.digest for image in wanted}
    fetched = {path.rsplit("/", 1)[1] for method, path in seen if method == "GET" and "/manifests/sha256:" in path}
    assert fetched == {image.digest for image in wanted}
    assert sum(1 for method, path in seen if method == "GET" and "/blobs/" in path) == len(wanted)  # their configs
    assert sum(1 for method, _ in seen if method == "HEAD") == len(wanted) + len(others)  # one per tag
