"""regwarden's own container image for the tests: built by scripts/build-image.sh (cached by the hash of its inputs),
unpacked with umoci, and run the way a restricted pod runs it: a read-only root filesystem, uid 65532, writable
tmpfs only at /tmp and /home/regwarden, the repository's samples mounted read-only at /mnt/samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-image.sh"
BUILD_TIMEOUT_S = 3600
UID = 65532

# Mount a private, read-only view of the image's root filesystem, then run the command in it as the image's user.
_RUN_READ_ONLY = """
set -e
root=$1; samples=$2; shift 2
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t tmpfs -o uid=65532,gid=65532,mode=0700 tmpfs "$root/home/regwarden"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mount -o bind,ro "$samples" "$root/mnt"
exec chroot --userspec=65532:65532 "$root" "$@"
"""


@dataclass(frozen=True)
class BuiltImage:
    archive: Path
    expected: Mapping[str, Any]
    rootfs: Path

    @property
    def reference(self) -> str:
        return f"oci-archive:{self.archive}"


def image_dir() -> Path:
    configured = os.environ.get("REGWARDEN_IMAGE_DIR")
    return Path(configured) if configured else REPO / ".cache" / "image"


@pytest.fixture(scope="session")
def regwarden_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """The image (built on first use) and its root filesystem unpacked by umoci, as a runtime would."""
    built = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
    )
    if built.returncode != 0:
        pytest.fail(f"scripts/build-image.sh failed:\n{built.stdout[-6000:]}\n{built.stderr[-3000:]}")
    directory = image_dir()
    expected = json.loads((directory / "expected.json").read_text())
    unpacked = tmp_path_factory.mktemp("image")
    layout = unpacked / "layout"
    layout.mkdir()
    subprocess.run(["tar", "-C", str(layout), "-xf", str(directory / "regwarden.oci.tar")], check=True)
    tag = f"regwarden:{expected['version']}"
    subprocess.run(
        ["umoci", "unpack", "--image", f"{layout}:{tag}", str(unpacked / "bundle")], check=True, capture_output=True
    )
    return BuiltImage(directory / "regwarden.oci.tar", expected, unpacked / "bundle" / "rootfs")


def read_only_command(image: BuiltImage, command: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """`command` (run with `env` only) in a private mount namespace, as a pod with readOnlyRootFilesystem would."""
    environment = [f"{key}={value}" for key, value in {"PATH": "/opt/regwarden/bin:/usr/bin:/bin", **env}.items()]
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        _RUN_READ_ONLY,
        "run-read-only",
        str(image.rootfs),
        str(REPO / "samples"),
        "env",
        "-i",
        "HOME=/home/regwarden",
        *environment,
        *command,
    ]


def run_regwarden_on_host(args: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """The regwarden of this tree (not the image's), to look at the image from outside."""
    return subprocess.run(
        [sys.executable, "-m", "regwarden", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
