"""Distinct small real images for bench_jobs.py: the demo sample's two layers (busybox and Debian base-files with
their dpkg database; urllib3, Jinja2, MarkupSafe and lodash) under a config of their own each, so every image has
its own manifest digest and a catalog reads 1.5 MB of layers and 8 packages, as for a small real image.

Pushed through the distribution API as any client does (monolithic blob upload, manifest PUT), the layers once per
repository.
"""

from __future__ import annotations

import json
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from inventory_registry import Blob

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"


def _read_sample(archive: Path) -> tuple[dict[str, object], list[Blob]]:
    """The sample's config (as a document) and its layers (as blobs), from its oci-archive."""
    with tarfile.open(archive) as tar:

        def blob(digest: str) -> bytes:
            member = tar.extractfile(f"blobs/sha256/{digest.removeprefix('sha256:')}")
            assert member is not None
            return member.read()

        index = json.loads(tar.extractfile("index.json").read())
        manifest = json.loads(blob(index["manifests"][0]["digest"]))
        config = json.loads(blob(manifest["config"]["digest"]))
        layers = [Blob(layer["mediaType"], blob(layer["digest"])) for layer in manifest["layers"]]
    return config, layers


def _upload(client: httpx.Client, repository: str, blob: Blob) -> None:
    if client.head(f"/v2/{repository}/blobs/{blob.digest}").status_code == 200:
        return
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    started.raise_for_status()
    location = started.headers["Location"]
    separator = "&" if "?" in location else "?"
    client.put(f"{location}{separator}digest={blob.digest}", content=blob.content).raise_for_status()


def push_sample_variants(host: str, archive: Path, count: int, repositories: int, workers: int = 8) -> list[str]:
    """`count` images sharing `archive`'s layers, over `repositories` repositories; their manifest digests."""
    config, layers = _read_sample(archive)
    repositories = min(repositories, count)

    def variant(number: int) -> tuple[Blob, bytes]:
        labels = {**config.get("config", {}).get("Labels", {}), "bench.variant": str(number)}
        document = {**config, "config": {**config["config"], "Labels": labels}}
        own = Blob(CONFIG, json.dumps(document, sort_keys=True).encode())
        manifest = {"schemaVersion": 2, "mediaType": MANIFEST, "config": own.descriptor(),
                    "layers": [layer.descriptor() for layer in layers]}  # fmt: skip
        return own, json.dumps(manifest, sort_keys=True).encode()

    with httpx.Client(base_url=f"http://{host}", timeout=60.0) as client, ThreadPoolExecutor(workers) as pool:

        def push_repository(slot: int) -> list[str]:
            repository = f"demo/app-{slot:02d}"
            for layer in layers:
                _upload(client, repository, layer)
            digests = []
            for number in range(slot, count, repositories):
                own, manifest = variant(number)
                _upload(client, repository, own)
                answer = client.put(
                    f"/v2/{repository}/manifests/1.0.{number}", content=manifest, headers={"Content-Type": MANIFEST}
                )
                answer.raise_for_status()
                digests.append(answer.headers["Docker-Content-Digest"])
            return digests

        return [digest for digests in pool.map(push_repository, range(repositories)) for digest in digests]
