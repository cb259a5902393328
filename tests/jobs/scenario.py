"""The registry and inventory the worker tests sync: real sample images in a real registry, an unreadable one, the
advisory snapshot, and a production cluster running two of the digests (so catalogs open exposures and events)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import httpx

from tests.cli.cli_support import Outcome, run_process
from tests.support.registry import RunningRegistry, build_layout_image, push

REPO = Path(__file__).resolve().parents[2]
DEMO_1_0 = REPO / "samples" / "demo.oci.tar"
DEMO_1_1 = REPO / "samples" / "demo-1.1.oci.tar"
ADVISORIES = REPO / "samples" / "advisories"
PROD_CLUSTER = REPO / "samples" / "cluster" / "aks-prod.json"
DEMO_1_0_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1_DIGEST = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"


def regwarden(args: list[str], home: Path, env: dict[str, str]) -> Outcome:
    return run_process(args, home, env)


def load_registry(registry: RunningRegistry, work: Path) -> dict[str, str]:
    """Push the scenario's images; returns repository:tag → manifest digest (five distinct digests)."""
    host = registry.host
    push(f"oci-archive:{DEMO_1_0}", f"{host}/apps/web:1.0", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web:1.1", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web:latest", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web-copy:1.1", "oci")  # one digest in two repositories
    push(f"oci-archive:{DEMO_1_0}", f"{host}/apps/web-docker:1.0", "v2s2")  # the same content, another digest
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web-docker:1.1", "v2s2")
    broken = build_layout_image(work / "broken", {"etc/os-release": b"ID=debian\nVERSION_ID=12\n"}, "1")
    push(broken, f"{host}/apps/broken:1", "oci")
    _unlink_config(registry, "apps/broken", "1")
    tags = ("apps/web:1.0", "apps/web:1.1", "apps/web:latest", "apps/web-copy:1.1", "apps/web-docker:1.0")
    return {tag: manifest_digest(f"{host}/{tag}") for tag in (*tags, "apps/web-docker:1.1", "apps/broken:1")}


def prepare_inventory(home: Path, env: dict[str, str]) -> None:
    """The advisory snapshot and the production cluster, as a team would have them before a sync."""
    for args in (
        ["db", "import", str(ADVISORIES)],
        ["sync", "k8s", "--from", str(PROD_CLUSTER), "--cluster", "aks-prod-weu", "--no-catalog"],
    ):
        outcome = regwarden(args, home, env)
        assert outcome.code == 0, outcome.stderr


def manifest_digest(reference: str) -> str:
    raw = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"], capture_output=True, check=True
    ).stdout
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _unlink_config(registry: RunningRegistry, repository: str, tag: str) -> None:
    """Delete the image's config blob from its repository: the manifest stays, the image cannot be read."""
    accept = "application/vnd.oci.image.manifest.v1+json"
    manifest = httpx.get(f"{registry.url}/v2/{repository}/manifests/{tag}", headers={"Accept": accept}).json()
    config = str(manifest["config"]["digest"])
    response = httpx.delete(f"{registry.url}/v2/{repository}/blobs/{config}")
    assert response.status_code == 202, response.text


def local_cluster_file(registry: RunningRegistry, directory: Path) -> Path:
    """The sample production cluster with every image moved to `registry`: the two demo builds it runs are there
    (pushed by `load_registry` under shop/web), the seven other images are not (their catalogs fail: not found)."""
    text = PROD_CLUSTER.read_text(encoding="utf-8")
    for prefix in ("regwardendemo.azurecr.io/", "mcr.microsoft.com/", "quay.io/"):
        text = text.replace(f'"{prefix}', f'"{registry.host}/')
    text = text.replace('"postgres@', f'"{registry.host}/library/postgres@').replace(
        '"postgres:', f'"{registry.host}/library/postgres:'
    )
    path = directory / "aks-prod-local.json"
    path.write_text(text, encoding="utf-8")
    return path


def push_running_builds(registry: RunningRegistry) -> None:
    push(f"oci-archive:{DEMO_1_0}", f"{registry.host}/shop/web:1.0", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{registry.host}/shop/web:1.1", "oci")
