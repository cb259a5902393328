"""The config's `locks:` rules applied by `sync registry` on ACR (fake ACR at the wire in front of the real registry):
matching tags and their manifests locked by PATCH, said in the sync report, nothing sent again once locked; and
the config section read and its mistakes named."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

from regwarden.lifecycle.locks import load_lock_rules
from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.oci.acr import auth_for_registry
from regwarden.oci.client import RegistryClient
from regwarden.oci.listing import AcrListing, OciListing
from regwarden.service.settings import load_settings
from regwarden.service.sync_registry import SyncOptions, sync_registry
from regwarden.store import open_store
from tests.lifecycle.registry_images import days_ago, push_image
from tests.support.fake_acr import FakeAadCredential, FakeAcr, FakeAcrServer
from tests.support.registry import RunningRegistry, SelfSignedCert

REPO = "synclocks/web"
OPEN = {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True}


@pytest.fixture
def images(registry: RunningRegistry) -> dict[str, Descriptor]:
    with RegistryClient(registry.host, insecure=True) as client:
        return {tag: push_image(client, REPO, (tag,), age=3) for tag in ("v1.0", "v1.1", "dev-7")}


@pytest.fixture
def fake(acr_server: FakeAcrServer, registry: RunningRegistry, images: dict[str, Descriptor]) -> FakeAcr:
    def entry(tag: str) -> dict[str, Any]:
        found = images[tag]
        stamp = days_ago(3)
        attributes = dict(OPEN)
        return {
            "digest": found.digest,
            "mediaType": found.media_type,
            "tags": [tag],
            "createdTime": stamp,
            "lastUpdateTime": stamp,
            "changeableAttributes": attributes,
        }

    tags = [{"name": tag, "digest": images[tag].digest, "changeableAttributes": dict(OPEN)} for tag in images]
    return acr_server.use(
        FakeAcr({REPO: {"manifests": [entry(tag) for tag in images], "tags": tags}}, upstream=registry)
    )


@pytest.mark.registry
def test_sync_locks_the_tags_the_rules_name_once(
    fake: FakeAcr, acr_tls: SelfSignedCert, images: dict[str, Descriptor], tmp_path: Path
) -> None:
    rules = load_lock_rules([{"repo": "synclocks/.*", "tags": r"^v\d", "write": False}])
    auth = auth_for_registry(fake.host, None, azure_credential=FakeAadCredential())
    verify = ssl.create_default_context(cafile=acr_tls.cert_path)
    with (
        open_store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store,
        RegistryClient(fake.host, auth=auth, verify=verify) as client,
    ):
        first = sync_registry(store, fake.host, SyncOptions(locks=rules), listing=AcrListing(client))
        second = sync_registry(store, fake.host, SyncOptions(locks=rules), listing=AcrListing(client))
    assert sorted((repo, name, body) for repo, name, body in fake.patches) == sorted(
        [(REPO, "v1.0", {"deleteEnabled": False}), (REPO, "v1.1", {"deleteEnabled": False})]
        + [(REPO, images[tag].digest, {"deleteEnabled": False}) for tag in ("v1.0", "v1.1")]
    )
    assert f"locks: {REPO}: 2 tag(s) (v1.0, v1.1) and 2 manifest(s) locked by rule(s) 1" in first.notes
    assert not [note for note in second.notes if note.startswith("locks:")]


@pytest.mark.registry
def test_a_registry_read_without_acrs_api_is_said_to_be_left_unlocked(
    registry: RunningRegistry, images: dict[str, Descriptor], tmp_path: Path
) -> None:
    rules = load_lock_rules([{"repo": "synclocks/.*", "tags": "."}])
    options = SyncOptions(repository_pattern="synclocks/.*", locks=rules)
    with (
        open_store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store,
        RegistryClient(registry.host, insecure=True) as client,
    ):
        report = sync_registry(store, registry.host, options, listing=OciListing(client))
    assert f"locks: {registry.host} is not read through ACR's API, so the lock rules were not applied" in report.notes


def test_the_config_file_takes_a_locks_section(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text('locks:\n  - {repo: "shop/.*", tags: "^v", registry: myreg.azurecr.io, delete: false}\n')
    (rule,) = load_settings(config).locks
    assert (rule.repository.pattern, rule.tags.pattern, rule.registry, rule.attributes) == (
        "shop/.*",
        "^v",
        "myreg.azurecr.io",
        {"writeEnabled": False},
    )
    config.write_text("locks:\n  - {repo: shop}\n")
    with pytest.raises(BadInputError, match=r"config.yaml: locks\[0\]: expected a mapping with `repo` and `tags`"):
        load_settings(config)
