"""What a container status `imageID` says about the running image: a manifest digest, or only a local image ID.

The kubelet copies `imageID` from the container runtime, and its form depends on the runtime:

| form                              | runtime                                  | meaning                          |
|-----------------------------------|------------------------------------------|----------------------------------|
| `docker-pullable://repo@sha256:…` | Docker (dockershim, cri-dockerd)         | repo digest: the manifest pulled |
| `repo@sha256:…`                   | containerd, CRI-O                        | repo digest: the manifest pulled |
| `docker://sha256:…`               | Docker, image without a repo digest      | image ID: the config digest      |
| `sha256:…`                        | containerd, image imported on the node   | image ID: the config digest      |
| empty                             | any                                      | the container has not started    |

A config digest is not a manifest digest: no registry can be asked for it and no SBOM is keyed by it, so it is kept
as `image_id` with digest None and a reason. A repo digest names what the node pulled, which for a multi-platform
image is the index (manifest list) digest, not the platform manifest: the inventory must match either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGEST = re.compile(r"(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})")
_REPO_DIGEST = re.compile(rf"[^@\s]+@(?P<digest>{_DIGEST.pattern})")
_DOCKER_PULLABLE = "docker-pullable://"
_DOCKER = "docker://"


@dataclass(frozen=True)
class RunningImage:
    """The manifest digest read from an `imageID` (None when it holds none), the raw `imageID`, and why."""

    digest: str | None
    image_id: str | None
    reason: str | None = None
    """Why `digest` is None; None when a digest was read."""


NOT_STARTED = "the container has not started: its status has no imageID"


def parse_image_id(image_id: str) -> RunningImage:
    """Read one `imageID` as the kubelet reports it (the table above)."""
    if not image_id:
        return RunningImage(None, None, NOT_STARTED)
    if image_id.startswith(_DOCKER_PULLABLE):
        return _repo_digest(image_id, image_id.removeprefix(_DOCKER_PULLABLE))
    if image_id.startswith(_DOCKER):
        return _local_image(image_id, image_id.removeprefix(_DOCKER), "Docker")
    if _DIGEST.fullmatch(image_id):
        return _local_image(image_id, image_id, "containerd")
    return _repo_digest(image_id, image_id)


def _repo_digest(image_id: str, reference: str) -> RunningImage:
    match = _REPO_DIGEST.fullmatch(reference)
    if match is None:
        return RunningImage(None, image_id, f"unrecognised imageID {image_id!r}: no repository@digest in it")
    return RunningImage(match["digest"], image_id)


def _local_image(image_id: str, local_id: str, runtime: str) -> RunningImage:
    if _DIGEST.fullmatch(local_id) is None:
        return RunningImage(None, image_id, f"unrecognised imageID {image_id!r}")
    return RunningImage(
        None,
        image_id,
        f"{runtime} reported a local image ID (the config digest {local_id[:19]}…), not a manifest digest: "
        "the image was built or imported on the node, or pulled without a repository digest",
    )
