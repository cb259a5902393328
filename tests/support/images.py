"""Real test images built by tests/images/build.sh, as session fixtures.

`test_images` is the cache directory (building it first when needed, so plain `pytest` works);
`expected_packages` is the package sets the builder recorded with dpkg-query, pip and npm; `pushed_images`
loads the images into the real `registry` fixture and maps names to pullable references. Tests using any of
them get the `images` marker (and `registry` for `pushed_images`), so `pytest -m "not images"` runs without
the network.

Layout of the cache directory (see build.sh): `oci/` (OCI layout, refs in LAYOUT_REFS),
`archives/<ref>.oci.tar` and `archives/<ref>.docker.tar` for ARCHIVE_REFS, `layers/*.tar` (uncompressed),
`expected.json`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pytest

from tests.support.registry import RunningRegistry, push

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "tests" / "images" / "build.sh"
BUILD_TIMEOUT_S = 1800
LOG_TAIL_LINES = 150
LAYOUT_REFS = frozenset({"base", "pyapp-1.0", "pyapp-1.0-rc1", "pyapp-1.1", "pyapp-1.1-zstd", "busybox-arm64", "multi"})
ARCHIVE_REFS = ("base", "pyapp-1.0", "pyapp-1.1")
IMAGE_FIXTURES = frozenset({"test_images", "expected_packages", "pushed_images"})


def images_dir() -> Path:
    """Where build.sh puts the images: $REGWARDEN_TEST_IMAGES or <repo>/.cache/test-images."""
    configured = os.environ.get("REGWARDEN_TEST_IMAGES")
    return Path(configured) if configured else REPO / ".cache" / "test-images"


def layout_ref(images: Path, ref: str) -> str:
    """The skopeo/regwarden reference of a ref in the cache's OCI layout: `oci:DIR:ref`."""
    return f"oci:{images / 'oci'}:{ref}"


def archive_path(images: Path, ref: str, kind: str) -> Path:
    """`kind` is "oci" (oci-archive) or "docker" (docker-archive, the `docker save` format)."""
    if kind not in ("oci", "docker"):
        raise ValueError(f"kind must be 'oci' or 'docker', got {kind!r}")
    return images / "archives" / f"{ref}.{kind}.tar"


@dataclass(frozen=True)
class DebPackage:
    name: str
    version: str
    source: str
    source_version: str
    architecture: str


@dataclass(frozen=True)
class PythonPackage:
    name: str
    """As the distribution's metadata spells it (`PyYAML`, `Jinja2`), not normalised."""
    version: str


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    path: str
    """The package directory inside the image, e.g. `/app/node_modules/lodash`."""


@dataclass(frozen=True)
class ExpectedImage:
    platform: str
    """`os/arch[/variant]`, e.g. `linux/amd64`."""
    deb: frozenset[DebPackage]
    python: frozenset[PythonPackage]
    npm: frozenset[NpmPackage]


@dataclass(frozen=True)
class ExpectedPackages:
    images: Mapping[str, ExpectedImage]
    """Layout ref -> what the builder installed into that image."""
    indexes: Mapping[str, Mapping[str, str]]
    """Index ref -> platform -> that platform's layout ref (multi -> linux/amd64 -> pyapp-1.1)."""


def load_expected(path: Path) -> ExpectedPackages:
    doc = json.loads(path.read_text(encoding="utf-8"))
    images = {
        ref: ExpectedImage(
            platform=item["platform"],
            deb=frozenset(DebPackage(**p) for p in item["deb"]),
            python=frozenset(PythonPackage(**p) for p in item["python"]),
            npm=frozenset(NpmPackage(**p) for p in item["npm"]),
        )
        for ref, item in doc["images"].items()
    }
    indexes = {ref: MappingProxyType(dict(members)) for ref, members in doc["indexes"].items()}
    return ExpectedPackages(MappingProxyType(images), MappingProxyType(indexes))


def build_images(target: Path) -> None:
    """Run build.sh (a no-op when its stamp matches); a failure fails the test with the build's own output."""
    env = {**os.environ, "REGWARDEN_TEST_IMAGES": str(target)}
    try:
        result = subprocess.run(
            ["bash", str(BUILD_SCRIPT)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"tests/images/build.sh did not finish within {BUILD_TIMEOUT_S}s:\n{exc.output or ''}")
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-LOG_TAIL_LINES:])
        pytest.fail(f"tests/images/build.sh failed with exit code {result.returncode}; its output:\n{tail}")


@pytest.fixture(scope="session")
def test_images() -> Path:
    """The built image cache directory (see the module docstring for what is inside)."""
    target = images_dir()
    build_images(target)
    return target


@pytest.fixture(scope="session")
def expected_packages(test_images: Path) -> ExpectedPackages:
    return load_expected(test_images / "expected.json")


def _registry_digest(reference: str) -> str:
    result = subprocess.run(
        ["skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", f"docker://{reference}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"skopeo inspect {reference} failed:\n{result.stderr}")
    return result.stdout.strip()


def push_all(images: Path, host: str) -> dict[str, str]:
    """Push the layout refs the way a registry would have accumulated them; returns name -> reference.

    `pyapp-1.0-rc1` is pushed as apps/pyapp:rc and then replaced by pyapp-1.0, so it stays in the registry
    only as an untagged manifest, returned as a digest reference.
    """
    refs = {
        "base": f"{host}/base/debian:bookworm",
        "base-latest": f"{host}/base/debian:latest",
        "pyapp-rc": f"{host}/apps/pyapp:rc",
        "pyapp-1.0": f"{host}/apps/pyapp:1.0",
        "pyapp-1.1": f"{host}/apps/pyapp:1.1",
        "pyapp-latest": f"{host}/apps/pyapp:latest",
        "pyapp-1.0-v2s2": f"{host}/apps/pyapp-docker:1.0",
        "pyapp-1.1-v2s2": f"{host}/apps/pyapp-docker:1.1",
        "pyapp-1.1-zstd": f"{host}/apps/pyapp-zstd:1.1",
        "multi": f"{host}/apps/multi:latest",
        "multi-v2s2": f"{host}/apps/multi-docker:latest",
    }
    push(layout_ref(images, "base"), refs["base"], "oci")
    push(layout_ref(images, "base"), refs["base-latest"], "oci")
    push(layout_ref(images, "pyapp-1.0-rc1"), refs["pyapp-rc"], "oci")
    refs["pyapp-1.0-rc1"] = f"{host}/apps/pyapp@{_registry_digest(refs['pyapp-rc'])}"
    push(layout_ref(images, "pyapp-1.0"), refs["pyapp-1.0"], "oci")
    push(layout_ref(images, "pyapp-1.0"), refs["pyapp-rc"], "oci")
    push(layout_ref(images, "pyapp-1.1"), refs["pyapp-1.1"], "oci")
    push(layout_ref(images, "pyapp-1.1"), refs["pyapp-latest"], "oci")
    push(layout_ref(images, "pyapp-1.0"), refs["pyapp-1.0-v2s2"], "v2s2")
    push(layout_ref(images, "pyapp-1.1"), refs["pyapp-1.1-v2s2"], "v2s2")
    push(layout_ref(images, "pyapp-1.1-zstd"), refs["pyapp-1.1-zstd"], "oci")
    push(layout_ref(images, "multi"), refs["multi"], "oci")  # push() copies with --all: every platform
    push(layout_ref(images, "multi"), refs["multi-v2s2"], "v2s2")  # a Docker manifest list
    return refs


@pytest.fixture(scope="session")
def pushed_images(test_images: Path, registry: RunningRegistry) -> Mapping[str, str]:
    """Name -> reference (`127.0.0.1:PORT/repo:tag` or `...@sha256:...`) in the session's `registry`.

    Names: base, base-latest (same manifest), pyapp-1.0-rc1 (untagged, by digest), pyapp-rc (now = pyapp-1.0),
    pyapp-1.0, pyapp-1.1, pyapp-latest (= pyapp-1.1), pyapp-1.0-v2s2 and pyapp-1.1-v2s2 (Docker v2 schema 2
    media types), pyapp-1.1-zstd (zstd layers), multi (OCI index: linux/amd64 = pyapp-1.1, linux/arm64/v8 =
    busybox-arm64) and multi-v2s2 (the same as a Docker manifest list).
    """
    return MappingProxyType(push_all(test_images, registry.host))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fixtures cannot carry marks, so tag the tests that request them."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & IMAGE_FIXTURES:
            item.add_marker(pytest.mark.images)
        if "pushed_images" in fixtures:
            item.add_marker(pytest.mark.registry)
