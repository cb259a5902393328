"""`sync registry` over ACR's `/acr/v1` listings at the wire (a local HTTPS fake of the documented API, driven
through the real client and token flow): push times, untagged manifests, --since, and a manifest that goes away."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from regwarden.oci.acr import auth_for_registry
from regwarden.oci.client import RegistryClient
from regwarden.oci.listing import AcrListing
from regwarden.oci.retry import RetryPolicy
from regwarden.service.catalog import catalog_reference
from regwarden.service.images import ImageOptions
from regwarden.service.sync_registry import SyncOptions, sync_registry
from regwarden.store import open_store
from regwarden.store.inventory_schema import image_locations, registries, tag_history
from tests.support.fake_acr import FakeAadCredential, FakeAcr, FakeAcrServer
from tests.support.registry import SelfSignedCert, make_self_signed

REPO = Path(__file__).resolve().parents[2]
DEMO_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
OLD_UNTAGGED = "sha256:" + "a1" * 32
NOW = datetime(2025, 2, 10, tzinfo=UTC)


def manifest(digest: str, tags: list[str], created: str) -> dict[str, Any]:
    """A manifest entry as ACR's Get Manifests documents it."""
    return {
        "digest": digest,
        "imageSize": 1500000,
        "createdTime": created,
        "lastUpdateTime": created,
        "architecture": "amd64",
        "os": "linux",
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "tags": tags,
        "changeableAttributes": {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True},
    }


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed(tmp_path_factory.mktemp("acr-tls"))


@pytest.fixture(scope="module")
def server(tls: SelfSignedCert) -> Iterator[FakeAcrServer]:
    with FakeAcrServer(tls) as running:
        yield running


@pytest.fixture
def acr(server: FakeAcrServer) -> FakeAcr:
    content = {
        "shop/web": {
            "manifests": [
                manifest(DEMO_1_0, ["1.0"], "2025-01-20T08:00:00.1234567Z"),
                manifest(DEMO_1_1, ["1.1", "latest"], "2025-02-01T08:00:00.1234567Z"),
                manifest(OLD_UNTAGGED, [], "2024-06-01T08:00:00Z"),
            ],
            "tags": [],
        }
    }
    return server.use(FakeAcr(content))


@contextmanager
def listing(acr: FakeAcr, tls: SelfSignedCert) -> Iterator[AcrListing]:
    """ACR's listing through the real client, signed in as regwarden signs in to an ACR (AAD, then ACR tokens)."""
    auth = auth_for_registry(acr.host, None, azure_credential=FakeAadCredential())
    verify = ssl.create_default_context(cafile=tls.cert_path)
    retry = RetryPolicy(max_attempts=2, base_delay=0.01)
    with RegistryClient(acr.host, auth=auth, verify=verify, retry=retry) as client:
        yield AcrListing(client)


def test_acr_listings_give_push_times_untagged_manifests_and_deletions(
    db_url: str, acr: FakeAcr, tls: SelfSignedCert
) -> None:
    with open_store(db_url) as store:
        for archive in ("demo.oci.tar", "demo-1.1.oci.tar"):  # CI recorded both builds already
            catalog_reference(store, f"oci-archive:{REPO / 'samples' / archive}", ImageOptions())
        options = SyncOptions(since=timedelta(days=30))
        with listing(acr, tls) as acr_listing:
            report = sync_registry(store, acr.host, options, listing=acr_listing, now=NOW)

        assert (report.repositories, report.manifests, report.already_known) == (("shop/web",), 3, 2)
        assert report.catalogued == report.failed == ()
        assert report.skipped == (
            (f"shop/web@{OLD_UNTAGGED}", "last updated 2024-06-01T08:00:00+00:00, before --since"),
        )
        assert report.notes == ()
        assert not [call for call in acr.calls if " /v2/" in call]  # listings only: no manifest, config or layer
        with store.engine.connect() as conn:
            kind = conn.execute(sa.select(registries.c.kind)).scalar_one()
            pushed = dict(conn.execute(sa.select(image_locations.c.digest, image_locations.c.pushed_at)).all())
            tags = set(conn.execute(sa.select(tag_history.c.tag, tag_history.c.digest)).all())
        assert kind == "acr"
        assert pushed == {
            DEMO_1_0: "2025-01-20T08:00:00.1234567Z",
            DEMO_1_1: "2025-02-01T08:00:00.1234567Z",
            OLD_UNTAGGED: "2024-06-01T08:00:00Z",
        }
        assert tags == {("1.0", DEMO_1_0), ("1.1", DEMO_1_1), ("latest", DEMO_1_1)}

        # The untagged manifest is deleted (e.g. by `acr purge --untagged`): ACR lists every manifest, so its
        # absence means it is gone.
        acr.content["shop/web"]["manifests"].pop()
        with listing(acr, tls) as acr_listing:
            again = sync_registry(store, acr.host, options, listing=acr_listing, now=NOW + timedelta(hours=1))
        assert again.gone == (f"shop/web@{OLD_UNTAGGED}",)
        assert again.tag_moves == ()


def test_an_oci_registry_without_push_times_says_since_was_not_applied(db_url: str) -> None:
    class TagsOnly:
        supports_untagged = False

        def repositories(self) -> list[str]:
            return []

        def manifests(self, repo: str) -> list[object]:
            return []

    with open_store(db_url) as store:
        report = sync_registry(store, "localhost:5000", SyncOptions(since=timedelta(days=1)), listing=TagsOnly())  # type: ignore[arg-type]
    assert report.notes == (
        "--since needs push times; localhost:5000 gives none through the OCI API, so it was not applied",
    )
