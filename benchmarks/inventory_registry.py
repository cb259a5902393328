"""Many tiny, distinct images in a real registry, pushed through the OCI distribution API (bench_inventory.py).

Every image has the same one-layer filesystem (Debian 12's os-release and a dpkg status file with two packages)
and its own config (a label and a creation time), so each has its own manifest digest while the registry stores
one layer per repository. Pushing is what any client does: a monolithic blob upload (POST, then PUT with the
digest) for the layer and each config, and a PUT of the manifest under its tag. No skopeo process per image, so
1,000 images take seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
_FILES = {
    "etc/os-release": b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
    b"VERSION_CODENAME=bookworm\n",
    "var/lib/dpkg/status": b"Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n"
    b"Architecture: amd64\n\nPackage: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\n"
    b"Architecture: all\n",
}


@dataclass(frozen=True)
class Blob:
    media_type: str
    content: bytes

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.content).hexdigest()

    def descriptor(self) -> dict[str, object]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": len(self.content)}


def _layer() -> tuple[Blob, str]:
    """The shared layer (gzip, reproducible) and its diff_id."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, content in _FILES.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 1_700_000_000, 0o644
            archive.addfile(info, io.BytesIO(content))
    tar = raw.getvalue()
    return Blob(LAYER, gzip.compress(tar, mtime=0)), "sha256:" + hashlib.sha256(tar).hexdigest()


def _config(number: int, diff_id: str) -> Blob:
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": f"2026-11-{1 + number % 28:02d}T{number % 24:02d}:00:00Z",
        "config": {"Labels": {"bench.build": str(number)}, "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    return Blob(CONFIG, json.dumps(config, sort_keys=True).encode())


def _upload(client: httpx.Client, repository: str, blob: Blob) -> None:
    started = client.post(f"/v2/{repository}/blobs/uploads/")
    started.raise_for_status()
    location = started.headers["Location"]
    separator = "&" if "?" in location else "?"
    done = client.put(
        f"{location}{separator}digest={blob.digest}",
        content=blob.content,
        headers={"Content-Type": "application/octet-stream"},
    )
    done.raise_for_status()


def push_tiny_images(host: str, count: int, repositories: int, workers: int = 8) -> list[tuple[str, str, str]]:
    """Push `count` images over `repositories` repositories of the registry at `host` (plain HTTP), one
    repository per worker at a time; returns (repository, tag, manifest digest) of each."""
    layer, diff_id = _layer()
    repositories = min(repositories, count)  # a repository holding only a blob would be listed, with no tags
    with httpx.Client(base_url=f"http://{host}", timeout=30.0) as client, ThreadPoolExecutor(workers) as pool:

        def push_repository(slot: int) -> list[tuple[str, str, str]]:
            repository = f"tiny/app-{slot:02d}"
            _upload(client, repository, layer)
            return [_push(client, repository, n, layer, diff_id) for n in range(slot, count, repositories)]

        return [image for images in pool.map(push_repository, range(repositories)) for image in images]


def _push(client: httpx.Client, repository: str, number: int, layer: Blob, diff_id: str) -> tuple[str, str, str]:
    config = _config(number, diff_id)
    _upload(client, repository, config)
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor()],
    }
    content = json.dumps(manifest, sort_keys=True).encode()
    tag = f"1.0.{number}"
    answer = client.put(f"/v2/{repository}/manifests/{tag}", content=content, headers={"Content-Type": MANIFEST})
    answer.raise_for_status()
    return repository, tag, "sha256:" + hashlib.sha256(content).hexdigest()
