"""Purge over ACR's endpoints at the wire (tests/support/fake_acr.py in front of the real registry): `/acr/v1`
listings with per-tag times and locks, ACR's untag (`DELETE /acr/v1/{repo}/_tags/{tag}`), deletes by digest refused
while locked, and --include-locked unlocking with PATCH first, as `acr purge` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from regwarden.model.image import Descriptor
from regwarden.model.purge import ActionKind, ApplyReport, Outcome, PurgeCriteria, PurgePlan
from regwarden.oci.client import RegistryClient
from regwarden.service.purge import PurgeRequest, purge
from regwarden.service.purge_apply import ApplyOptions
from tests.lifecycle.purge_support import present, store_running
from tests.lifecycle.registry_images import NOW, days_ago, push_image, push_index, push_signature
from tests.support.fake_acr import FakeAcr, FakeAcrServer
from tests.support.registry import RunningRegistry

pytestmark = pytest.mark.registry
REPO = "acrpurge/web"
UNLOCKED = {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True}
LOCKED = {**UNLOCKED, "deleteEnabled": False}


def manifest(found: Descriptor, tags: list[str], age: float, locked: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "digest": found.digest,
        "imageSize": found.size,
        "createdTime": days_ago(age),
        "lastUpdateTime": days_ago(age),
        "mediaType": found.media_type,
        "tags": tags,
        "changeableAttributes": LOCKED if locked else UNLOCKED,
        **extra,
    }


def tag(name: str, found: Descriptor, age: float, locked: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "digest": found.digest,
        "createdTime": days_ago(age),
        "lastUpdateTime": days_ago(age),
        "changeableAttributes": LOCKED if locked else UNLOCKED,
    }


@pytest.fixture
def images(registry: RunningRegistry) -> dict[str, Descriptor]:
    with RegistryClient(registry.host, insecure=True) as client:
        made = {name: push_image(client, REPO, (name,), age=40) for name in ("old", "moved", "locked", "dangling")}
        made["amd64"] = push_image(client, REPO, age=40)
        made["multi"] = push_index(client, REPO, ("multi",), [made["amd64"]])
    return made


@pytest.fixture
def fake(acr_server: FakeAcrServer, registry: RunningRegistry, images: dict[str, Descriptor]) -> FakeAcr:
    content = {
        REPO: {
            "manifests": [
                manifest(images["old"], ["1.0", "1"], 40),
                manifest(images["moved"], ["1.1"], 40),
                manifest(images["locked"], ["0.9"], 40, locked=True),
                manifest(images["dangling"], [], 40),
                manifest(images["amd64"], [], 40),
                manifest(images["multi"], ["multi"], 40, references=[{"digest": images["amd64"].digest}]),
            ],
            "tags": [
                tag("1.0", images["old"], 40),
                tag("1", images["old"], 40),
                tag("1.1", images["moved"], 1),  # pointed at this manifest yesterday: too recent
                tag("0.9", images["locked"], 40, locked=True),
                tag("multi", images["multi"], 3),
            ],
        }
    }
    return acr_server.use(FakeAcr(content, upstream=registry))


def run(
    fake: FakeAcr,
    clients: Callable[[str], RegistryClient],
    tmp_path: Path,
    *,
    apply: bool,
    include_locked: bool = False,
) -> PurgePlan | ApplyReport:
    criteria = PurgeCriteria((f"{REPO}:.*",), timedelta(days=7), untagged=True, include_locked=include_locked)
    options = ApplyOptions(journal=tmp_path / "journal.jsonl") if apply else None
    with store_running(tmp_path / "db.sqlite", {}) as store, clients(fake.host) as client:
        return purge(store, fake.host, PurgeRequest(criteria=criteria, acr=True), apply=options, client=client, now=NOW)


def test_acr_tags_are_judged_by_their_own_times_and_locks(
    fake: FakeAcr, acr_clients: Callable[[str], RegistryClient], images: dict[str, Descriptor], tmp_path: Path
) -> None:
    plan = run(fake, acr_clients, tmp_path, apply=False)
    assert isinstance(plan, PurgePlan)
    assert {a.digest for a in plan.deletions} == {images["old"].digest, images["dangling"].digest}
    kept = {k.digest: {r.kind.value for r in k.reasons} for k in plan.kept}
    assert kept[images["moved"].digest] == {"recent"}
    assert kept[images["locked"].digest] == {"locked"}
    assert kept[images["amd64"].digest] == {"index-child"}
    assert not [call for call in fake.calls if call.startswith(("DELETE", "PATCH"))]


def test_apply_deletes_by_digest_through_acr_and_a_locked_image_stays(
    fake: FakeAcr, acr_clients: Callable[[str], RegistryClient], images: dict[str, Descriptor], tmp_path: Path
) -> None:
    report = run(fake, acr_clients, tmp_path, apply=True)
    assert isinstance(report, ApplyReport) and report.count_failed() == 0
    assert sorted(fake.deletes) == sorted([(REPO, images["old"].digest), (REPO, images["dangling"].digest)])
    assert fake.patches == []
    listed = {m["digest"] for m in fake.content[REPO]["manifests"]}
    assert images["old"].digest not in listed and images["locked"].digest in listed
    with RegistryClient(fake.upstream.host, insecure=True) as direct:  # type: ignore[union-attr]
        assert not present(direct, REPO, images["old"].digest) and present(direct, REPO, images["locked"].digest)


def test_include_locked_unlocks_with_patch_then_deletes(
    fake: FakeAcr, acr_clients: Callable[[str], RegistryClient], images: dict[str, Descriptor], tmp_path: Path
) -> None:
    report = run(fake, acr_clients, tmp_path, apply=True, include_locked=True)
    assert isinstance(report, ApplyReport) and report.count_failed() == 0
    locked = images["locked"].digest
    assert (REPO, locked, {"deleteEnabled": True, "writeEnabled": True}) in fake.patches
    assert (REPO, "0.9", {"deleteEnabled": True, "writeEnabled": True}) in fake.patches
    assert (REPO, locked) in fake.deletes


def test_a_tag_alone_goes_with_acrs_untag_and_the_manifest_stays(
    fake: FakeAcr, acr_clients: Callable[[str], RegistryClient], images: dict[str, Descriptor], tmp_path: Path
) -> None:
    fake.content[REPO]["tags"].append(tag("stable", images["old"], 1))
    fake.content[REPO]["manifests"][0]["tags"].append("stable")
    report = run(fake, acr_clients, tmp_path, apply=True)
    assert isinstance(report, ApplyReport)
    untagged = [r for r in report.results if r.action.kind is ActionKind.UNTAG]
    assert [(r.action.tags, r.outcome) for r in untagged] == [(("1", "1.0"), Outcome.UNTAGGED)]
    assert {(REPO, "1"), (REPO, "1.0")} <= set(fake.deletes)
    assert fake.content[REPO]["manifests"][0]["tags"] == ["stable"]


def test_untagged_signatures_stay_with_an_image_that_stays_and_go_with_one_deleted(
    fake: FakeAcr,
    acr_clients: Callable[[str], RegistryClient],
    images: dict[str, Descriptor],
    registry: RunningRegistry,
    tmp_path: Path,
) -> None:
    with RegistryClient(registry.host, insecure=True) as client:
        signatures = {name: push_signature(client, REPO, images[name]) for name in ("old", "moved")}
        schema = {name: client.head_manifest(REPO, images[name].digest.replace(":", "-")) for name in signatures}
    listed = fake.content[REPO]
    for name, signature in signatures.items():
        listed["manifests"].append(manifest(signature, [], 40))
        tag_name = images[name].digest.replace(":", "-")
        listed["manifests"].append(manifest(schema[name], [tag_name], 40))
        listed["tags"].append(tag(tag_name, schema[name], 40))
    plan = run(fake, acr_clients, tmp_path, apply=False)
    assert isinstance(plan, PurgePlan)
    goes = {a.digest: a.goes_with for a in plan.deletions}
    assert goes[signatures["old"].digest] == images["old"].digest
    assert goes[schema["old"].digest] == images["old"].digest
    kept = {k.digest: {r.kind.value for r in k.reasons} for k in plan.kept}
    assert kept[signatures["moved"].digest] == kept[schema["moved"].digest] == {"subject-kept"}
