"""Image locks: the config's lock rules (lifecycle/locks.py), and `lock` / `unlock` against ACR's endpoints at the
wire (tests/support/fake_acr.py), through the service and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regwarden.lifecycle.locks import load_lock_rules, lock_changes
from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.model.purge import TagListing
from regwarden.oci.client import RegistryClient
from regwarden.service.images import ImageOptions
from regwarden.service.locks import change_locks
from tests.cli.cli_support import invoke
from tests.lifecycle.registry_images import push_image
from tests.support.fake_acr import FakeAcr, FakeAcrServer
from tests.support.registry import RunningRegistry, SelfSignedCert

REPO = "locks/web"
OPEN = {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True}
RULES = [{"repo": "shop/.*", "tags": r"^v\d"}, {"repo": "shop/web", "tags": "^stable$", "write": False}]


def listing(digest: str, *, delete: bool = True, write: bool = True) -> ManifestListing:
    return ManifestListing("shop/web", digest, delete_enabled=delete, write_enabled=write)


def test_a_rule_locks_each_matching_tag_and_its_manifest_once() -> None:
    rules = load_lock_rules(RULES)
    tags = [TagListing("v1", "sha256:a"), TagListing("v1.1", "sha256:a"), TagListing("stable", "sha256:b")]
    tags += [TagListing("latest", "sha256:c")]
    manifests = [listing("sha256:a"), listing("sha256:b"), listing("sha256:c")]
    changes = lock_changes(rules, "myreg.azurecr.io", "shop/web", manifests, tags)
    assert [(c.kind, c.name, dict(c.attributes), c.rules) for c in changes] == [
        ("manifest", "sha256:a", {"writeEnabled": False, "deleteEnabled": False}, (1,)),
        ("manifest", "sha256:b", {"deleteEnabled": False}, (2,)),
        ("tag", "stable", {"deleteEnabled": False}, (2,)),
        ("tag", "v1", {"writeEnabled": False, "deleteEnabled": False}, (1,)),
        ("tag", "v1.1", {"writeEnabled": False, "deleteEnabled": False}, (1,)),
    ]


def test_what_is_locked_already_is_left_alone() -> None:
    rules = load_lock_rules(RULES)
    tags = [TagListing("v1", "sha256:a", None, False, False), TagListing("stable", "sha256:b", None, False, True)]
    manifests = [listing("sha256:a", delete=False, write=False), listing("sha256:b", write=False)]
    assert [(c.kind, c.name) for c in lock_changes(rules, "r", "shop/web", manifests, tags)] == [
        ("manifest", "sha256:b")
    ]


def test_a_rule_names_its_registry_and_whole_repository_names() -> None:
    rules = load_lock_rules([{"repo": "web", "tags": ".", "registry": "MyReg.azurecr.io"}])
    tags, manifests = [TagListing("1", "sha256:a")], [listing("sha256:a")]
    assert lock_changes(rules, "myreg.azurecr.io", "web", manifests, tags)
    assert not lock_changes(rules, "other.azurecr.io", "web", manifests, tags)
    assert not lock_changes(rules, "myreg.azurecr.io", "shop/web", manifests, tags)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"repo": "a"}, "expected a list"),
        ([{"repo": "a"}], "with `repo` and `tags`"),
        ([{"repo": "a", "tags": "("}], "not a regular expression"),
        ([{"repo": "a", "tags": "x", "write": False, "delete": False}], "one must be true"),
        ([{"repo": "a", "tags": "x", "colour": "red"}], "unknown key"),
    ],
)
def test_lock_rule_mistakes_are_named(section: object, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        load_lock_rules(section)


@pytest.fixture
def image(registry: RunningRegistry) -> Descriptor:
    with RegistryClient(registry.host, insecure=True) as client:
        return push_image(client, REPO, ("1.0",), age=1)


@pytest.fixture
def fake(acr_server: FakeAcrServer, registry: RunningRegistry, image: Descriptor) -> FakeAcr:
    entry: dict[str, Any] = {"digest": image.digest, "mediaType": image.media_type, "tags": ["1.0"]}
    tag = {"name": "1.0", "digest": image.digest, "changeableAttributes": dict(OPEN)}
    content = {REPO: {"manifests": [{**entry, "changeableAttributes": dict(OPEN)}], "tags": [tag]}}
    return acr_server.use(FakeAcr(content, upstream=registry))


@pytest.mark.registry
def test_lock_by_tag_sets_the_tag_and_its_manifest_and_unlock_undoes_one_flag(
    fake: FakeAcr, acr_clients: Callable[[str], RegistryClient], image: Descriptor
) -> None:
    with acr_clients(fake.host) as client:
        locked = change_locks(
            f"{fake.host}/{REPO}:1.0",
            lock=True,
            write=False,
            delete=False,
            options=ImageOptions(),
            acr=True,
            client=client,
        )
        assert [(t.kind, t.name, t.delete_enabled, t.write_enabled) for t in locked.targets] == [
            ("tag", "1.0", False, False),
            ("manifest", image.digest, False, False),
        ]
        unlocked = change_locks(
            f"{fake.host}/{REPO}@{image.digest}",
            lock=False,
            write=False,
            delete=True,
            options=ImageOptions(),
            acr=True,
            client=client,
        )
    assert unlocked.attributes == ("deleteEnabled",)
    assert [(t.kind, t.delete_enabled, t.write_enabled) for t in unlocked.targets] == [("manifest", True, False)]
    assert fake.patches[-1] == (REPO, image.digest, {"deleteEnabled": True})


def test_a_registry_that_is_not_an_acr_has_no_locks() -> None:
    with pytest.raises(BadInputError, match="is not an ACR"):
        change_locks("localhost:5000/web:1", lock=True, write=True, delete=True, options=ImageOptions())


@pytest.mark.registry
def test_the_lock_command_signs_in_and_reports_json(
    fake: FakeAcr, acr_tls: SelfSignedCert, image: Descriptor, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {fake.host: {"identitytoken": fake.issue_refresh_token()}}})
    )
    env = {"DOCKER_CONFIG": str(tmp_path), "SSL_CERT_FILE": str(acr_tls.cert_path)}
    outcome = invoke(["lock", f"{fake.host}/{REPO}:1.0", "--delete", "--acr", "-o", "json"], env)
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["action"] == "lock" and document["attributes"] == ["deleteEnabled"]
    assert [(t["kind"], t["deleteEnabled"], t["writeEnabled"]) for t in document["targets"]] == [
        ("tag", False, True),
        ("manifest", False, True),
    ]
    table = invoke(["unlock", f"{fake.host}/{REPO}:1.0", "--acr"], env)
    assert table.code == 0 and "unlocked (writeEnabled, deleteEnabled)" in table.stdout
