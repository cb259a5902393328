"""Fixtures of the quarantine and promote tests: an advisory database with the bundled sample advisories, the two
sample builds pushed to a quarantine repository of the real registry (1.0 fails `--fail-on high`, 1.1 passes), a
small two-platform index of our own, an image whose layer cannot be read, and a fake ACR (tests/support/fake_acr.py)
in front of that registry: its token flow, `/acr/v1` and the PATCH of quarantine attributes."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from regwarden.model.image import Descriptor
from regwarden.oci.acr import auth_for_registry
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import RegistryClient
from regwarden.oci.retry import RetryPolicy
from regwarden.oci.upload import put_manifest, upload_blob
from regwarden.service.database import import_advisories
from tests.support.fake_acr import FakeAadCredential, FakeAcr, FakeAcrServer
from tests.support.registry import RunningRegistry, SelfSignedCert, build_layout_image, make_self_signed, push

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
DEMO_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MISSING = "sha256:" + "0f" * 32
"""A digest the registry does not hold (ACR announced it, the image is gone or was never readable)."""
FAST = RetryPolicy(max_attempts=2, base_delay=0.01, total_timeout=5.0)


@dataclass(frozen=True)
class Pushed:
    registry: RunningRegistry
    index_digest: str
    """The two-platform index pushed as quarantine/multi:1."""
    platform_digests: tuple[str, str]
    """Its linux/amd64 and linux/arm64 manifests."""
    broken_digest: str
    """quarantine/broken:1, whose only layer claims to be gzip and is not."""

    @property
    def host(self) -> str:
        return self.registry.host


@pytest.fixture
def advisory_db(tmp_path: Path) -> str:
    """A SQLite database holding the 31 sample advisories (nothing else)."""
    url = f"sqlite:///{tmp_path / 'regwarden.db'}"
    import_advisories(SAMPLES / "advisories", db_url=url)
    return url


@pytest.fixture(scope="session")
def quarantined(registry: RunningRegistry, tmp_path_factory: pytest.TempPathFactory) -> Pushed:
    """Both sample builds in `quarantine/demo` (tags 1.0 and 1.1) and a two-platform index in `quarantine/multi`."""
    push(f"oci-archive:{SAMPLES / 'demo.oci.tar'}", f"{registry.host}/quarantine/demo:1.0", "oci")
    push(f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", f"{registry.host}/quarantine/demo:1.1", "oci")
    layout = build_index(tmp_path_factory.mktemp("multi"))
    push(f"oci:{layout}:multi", f"{registry.host}/quarantine/multi:1")
    with RegistryClient(registry.host, insecure=True) as client:
        index = json.loads(client.get_manifest("quarantine/multi", "1").data)
        digest = client.head_manifest("quarantine/multi", "1").digest
        broken = push_broken_image(client, "quarantine/broken")
    amd64, arm64 = (entry["digest"] for entry in index["manifests"])
    return Pushed(registry, digest, (amd64, arm64), broken)


def push_broken_image(client: RegistryClient, repo: str) -> str:
    """An image whose layer is random bytes labelled gzip: its manifest and config read fine, its files do not."""
    config_data = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}}).encode()
    layer_data = secrets.token_bytes(2048)
    config = Descriptor("application/vnd.oci.image.config.v1+json", compute_digest(config_data), len(config_data))
    layer = Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", compute_digest(layer_data), len(layer_data))
    upload_blob(client, repo, config, io.BytesIO(config_data))
    upload_blob(client, repo, layer, io.BytesIO(layer_data))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
    }
    return put_manifest(client, repo, "1", json.dumps(manifest).encode(), OCI_MANIFEST)


def build_index(directory: Path) -> Path:
    """An OCI layout whose ref `multi` is an index of two tiny images (linux/amd64 and linux/arm64), made with
    umoci; the index itself is written here, as any build tool writes one."""
    build_layout_image(directory, {"etc/os-release": b"ID=demo\n", "app/amd64": b"x86\n"}, "amd64")
    build_layout_image(
        directory, {"etc/os-release": b"ID=demo\n", "app/arm64": b"arm\n"}, "arm64", architecture="arm64"
    )
    layout = directory / "layout"
    top = json.loads((layout / "index.json").read_text())
    entries = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in top["manifests"]}
    platforms = {"amd64": {"architecture": "amd64", "os": "linux"}, "arm64": {"architecture": "arm64", "os": "linux"}}
    children = [
        {
            "mediaType": entries[arch]["mediaType"],
            "digest": entries[arch]["digest"],
            "size": entries[arch]["size"],
            "platform": platforms[arch],
        }
        for arch in ("amd64", "arm64")
    ]
    data = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}).encode()
    digest = hashlib.sha256(data).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(data)
    reference = {"org.opencontainers.image.ref.name": "multi"}
    top["manifests"].append(
        {"mediaType": OCI_INDEX, "digest": f"sha256:{digest}", "size": len(data), "annotations": reference}
    )
    (layout / "index.json").write_text(json.dumps(top))
    return layout


def acr_manifest(digest: str, tags: list[str], media_type: str = OCI_MANIFEST) -> dict[str, Any]:
    """A manifest as ACR's `/acr/v1/{repo}/_manifests` lists it while quarantined."""
    return {
        "digest": digest,
        "imageSize": 1500000,
        "createdTime": "2026-12-08T09:00:00.0000000Z",
        "lastUpdateTime": "2026-12-08T09:00:00.0000000Z",
        "mediaType": media_type,
        "tags": tags,
        "changeableAttributes": {"deleteEnabled": True, "writeEnabled": True, "readEnabled": True, "listEnabled": True},
    }


@pytest.fixture(scope="session")
def acr_tls(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed(tmp_path_factory.mktemp("acr-tls"))


@pytest.fixture(scope="session")
def acr_server(acr_tls: SelfSignedCert) -> Iterator[FakeAcrServer]:
    with FakeAcrServer(acr_tls) as running:
        yield running


@pytest.fixture
def acr(acr_server: FakeAcrServer, quarantined: Pushed) -> FakeAcr:
    """A fake ACR whose images are the quarantined ones of the real registry (its `/v2/` behind ACR's tokens)."""
    content = {
        "quarantine/demo": {
            "manifests": [acr_manifest(DEMO_1_0, ["1.0"]), acr_manifest(DEMO_1_1, ["1.1"]), acr_manifest(MISSING, [])]
        },
        "quarantine/multi": {"manifests": [acr_manifest(quarantined.index_digest, ["1"], OCI_INDEX)]},
        "quarantine/broken": {"manifests": [acr_manifest(quarantined.broken_digest, ["1"])]},
    }
    return acr_server.use(FakeAcr(content, upstream=quarantined.registry))


@pytest.fixture
def acr_clients(acr_tls: SelfSignedCert) -> Callable[[str], RegistryClient]:
    """Clients as the worker makes them for an ACR: Azure AD exchanged for ACR tokens, over verified TLS."""
    verify = ssl.create_default_context(cafile=acr_tls.cert_path)

    def client_for(host: str) -> RegistryClient:
        auth = auth_for_registry(host, None, azure_credential=FakeAadCredential())
        return RegistryClient(host, auth=auth, verify=verify, retry=FAST)

    return client_for


def quarantine_event(host: str, repository: str, digest: str, tag: str | None = "1.0") -> bytes:
    """ACR's `quarantine` webhook payload, as its quarantine flow documents it."""
    target: dict[str, Any] = {"size": 1791, "digest": digest, "length": 1791, "repository": repository}
    if tag:
        target["tag"] = tag
    event = {
        "id": f"evt-{digest[7:19]}",
        "timestamp": "2026-12-08T09:00:01.4509516Z",
        "action": "quarantine",
        "target": target,
        "request": {"id": "978fc988-0000-4000-8000-4f6e331d1591", "host": host, "method": "PUT"},
    }
    return json.dumps(event).encode()
