"""Fixtures of the quarantine and promote tests: an advisory database with the bundled sample advisories, the two
sample builds pushed to a quarantine repository of the real registry (1.0 fails `--fail-on high`, 1.1 passes), and
a small two-platform index of our own."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.oci.client import RegistryClient
from regwarden.service.database import import_advisories
from tests.support.registry import RunningRegistry, build_layout_image, push

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
DEMO_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


@dataclass(frozen=True)
class Pushed:
    registry: RunningRegistry
    index_digest: str
    """The two-platform index pushed as quarantine/multi:1."""
    platform_digests: tuple[str, str]
    """Its linux/amd64 and linux/arm64 manifests."""

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
    amd64, arm64 = (entry["digest"] for entry in index["manifests"])
    return Pushed(registry, digest, (amd64, arm64))


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
