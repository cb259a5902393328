"""Failures end to end: `python -m regwarden` exits with the documented code and one clear stderr line.

Every case uses real inputs broken in a real way: missing or garbage files, a port nobody listens on, a
registry with the wrong password, a blob whose bytes no longer match its digest (on disk and in a real
registry's storage), a platform the index does not have.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.model.errors import ExitCode
from tests.cli.cli_support import assert_clean_failure, run_process
from tests.support.images import archive_path, layout_ref
from tests.support.registry import RunningRegistry, push, start_registry, stop_registry

ARM64 = ("--platform", "linux/arm64/v8")
BAD_PASSWORD = "not-the-password-7f3a"


def copy_layout(source: str, target: Path, tag: str = "img") -> str:
    """A private copy of one image as its own OCI layout, so a test may break it."""
    completed = subprocess.run(
        ["skopeo", "--insecure-policy", "copy", source, f"oci:{target}:{tag}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return f"oci:{target}:{tag}"


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, _, hex_digest = digest.partition(":")
    return layout / "blobs" / algorithm / hex_digest


def manifest_of(layout: Path, ref: str | None = None) -> dict[str, object]:
    """The manifest tagged `ref` in an OCI layout (the only one when `ref` is None)."""
    entries = json.loads((layout / "index.json").read_text())["manifests"]
    if ref is not None:
        entries = [e for e in entries if e["annotations"]["org.opencontainers.image.ref.name"] == ref]
    manifest: dict[str, object] = json.loads(blob_path(layout, entries[0]["digest"]).read_bytes())
    return manifest


def flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- local inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    ["oci-archive:{tmp}/missing.tar", "docker-archive:{tmp}/missing.tar", "oci:{tmp}/missing-layout:latest"],
)
def test_missing_local_source(tmp_path: Path, spec: str) -> None:
    outcome = run_process(["inspect", spec.format(tmp=tmp_path)], tmp_path)
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "missing")


def test_unknown_ref_in_layout_names_the_available_ones(test_images: Path, tmp_path: Path) -> None:
    outcome = run_process(["inspect", f"oci:{test_images / 'oci'}:no-such-ref"], tmp_path)
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "no-such-ref", "pyapp-1.1")


@pytest.mark.parametrize("transport", ["oci-archive", "docker-archive"])
def test_garbage_archive_is_bad_input(tmp_path: Path, transport: str) -> None:
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is not a tar archive\n" * 100)
    outcome = run_process(["sbom", f"{transport}:{garbage}"], tmp_path)
    assert_clean_failure(outcome, ExitCode.BAD_INPUT)


def test_oci_archive_given_as_docker_archive_is_bad_input(test_images: Path, tmp_path: Path) -> None:
    outcome = run_process(["inspect", f"docker-archive:{archive_path(test_images, 'base', 'oci')}"], tmp_path)
    assert_clean_failure(outcome, ExitCode.BAD_INPUT)


def test_unknown_platform_lists_the_available_ones(test_images: Path, tmp_path: Path) -> None:
    outcome = run_process(["inspect", layout_ref(test_images, "multi"), "--platform", "linux/s390x"], tmp_path)
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "linux/s390x", "linux/amd64", "linux/arm64/v8")


def test_malformed_platform_is_bad_input(test_images: Path, tmp_path: Path) -> None:
    outcome = run_process(["inspect", layout_ref(test_images, "multi"), "--platform", "amd64"], tmp_path)
    assert_clean_failure(outcome, ExitCode.BAD_INPUT, "amd64")


def test_malformed_reference_is_bad_input(tmp_path: Path) -> None:
    outcome = run_process(["inspect", "UPPER/Case@sha256:nothex"], tmp_path)
    assert_clean_failure(outcome, ExitCode.BAD_INPUT)


def test_dir_source_that_is_not_a_directory(tmp_path: Path) -> None:
    outcome = run_process(["sbom", f"dir:{tmp_path / 'nope'}"], tmp_path)
    assert_clean_failure(outcome, ExitCode.BAD_INPUT, "nope")


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    outcome = run_process(["inspect", "--no-such-option", "x"], tmp_path)
    assert outcome.code == ExitCode.USAGE
    assert "Traceback" not in outcome.stderr
    assert "--no-such-option" in outcome.stderr


# -- tampered content ----------------------------------------------------------------------------------------


@pytest.fixture
def small_layout(test_images: Path, tmp_path: Path) -> tuple[Path, str]:
    layout = tmp_path / "layout"
    return layout, copy_layout(layout_ref(test_images, "busybox-arm64"), layout)


def test_tampered_config_blob_fails_inspect(small_layout: tuple[Path, str], tmp_path: Path) -> None:
    layout, spec = small_layout
    config = manifest_of(layout)["config"]
    assert isinstance(config, dict)
    flip_last_byte(blob_path(layout, config["digest"]))
    assert_clean_failure(run_process(["inspect", spec, *ARM64], tmp_path), ExitCode.INTEGRITY)


def test_tampered_layer_blob_fails_sbom(small_layout: tuple[Path, str], tmp_path: Path) -> None:
    layout, spec = small_layout
    assert run_process(["sbom", spec, *ARM64], tmp_path).code == 0  # the untouched copy is fine
    layers = manifest_of(layout)["layers"]
    assert isinstance(layers, list)
    flip_last_byte(blob_path(layout, layers[0]["digest"]))
    assert_clean_failure(run_process(["sbom", spec, *ARM64], tmp_path), ExitCode.INTEGRITY)


@pytest.fixture(scope="module")
def tampered_registry(
    tmp_path_factory: pytest.TempPathFactory, test_images: Path
) -> Iterator[tuple[RunningRegistry, str]]:
    """A registry of its own (the shared one must stay intact) whose stored layer blob has been altered."""
    running = start_registry(tmp_path_factory.mktemp("tampered-registry"))
    reference = f"{running.host}/broken/busybox:1"
    push(layout_ref(test_images, "busybox-arm64"), reference, "oci")
    try:
        layers = manifest_of(test_images / "oci", "busybox-arm64")["layers"]
        assert isinstance(layers, list)
        layer_digest: str = layers[0]["digest"]
        hex_digest = layer_digest.partition(":")[2]
        stored = running.root / "data/docker/registry/v2/blobs/sha256" / hex_digest[:2] / hex_digest / "data"
        flip_last_byte(stored)
        assert "sha256:" + hashlib.sha256(stored.read_bytes()).hexdigest() != layer_digest
        yield running, reference
    finally:
        stop_registry(running)


def test_tampered_registry_blob_fails_sbom(tampered_registry: tuple[RunningRegistry, str], tmp_path: Path) -> None:
    _, reference = tampered_registry
    outcome = run_process(["sbom", reference, "--insecure", *ARM64], tmp_path)
    assert_clean_failure(outcome, ExitCode.INTEGRITY)


# -- registries ----------------------------------------------------------------------------------------------


def test_unreachable_registry(tmp_path: Path) -> None:
    outcome = run_process(["inspect", f"127.0.0.1:{unused_port()}/app/x:1", "--insecure", "--timeout", "5"], tmp_path)
    assert_clean_failure(outcome, ExitCode.UNREACHABLE, "127.0.0.1")


def test_wrong_password_basic(tmp_path: Path, basic_auth_registry: RunningRegistry) -> None:
    reference = f"{basic_auth_registry.host}/private/pyapp:1.1"
    outcome = run_process(["inspect", reference, "--insecure", "-u", "tester", "-p", BAD_PASSWORD], tmp_path)
    assert_clean_failure(outcome, ExitCode.AUTH)
    assert BAD_PASSWORD not in outcome.stderr  # a secret is never echoed


def test_no_credentials_on_a_private_registry(tmp_path: Path, basic_auth_registry: RunningRegistry) -> None:
    outcome = run_process(["inspect", f"{basic_auth_registry.host}/private/pyapp:1.1", "--insecure"], tmp_path)
    assert_clean_failure(outcome, ExitCode.AUTH)


def test_wrong_password_token(tmp_path: Path, token_auth_registry: RunningRegistry) -> None:
    reference = f"{token_auth_registry.host}/private/pyapp:1.1"
    outcome = run_process(["inspect", reference, "--insecure", "-u", "tokenuser", "-p", BAD_PASSWORD], tmp_path)
    assert_clean_failure(outcome, ExitCode.AUTH)
    assert BAD_PASSWORD not in outcome.stderr


def test_missing_tag_in_registry(tmp_path: Path, pushed_images: dict[str, str]) -> None:
    repository = pushed_images["pyapp-1.1"].rpartition(":")[0]
    outcome = run_process(["inspect", f"{repository}:no-such-tag", "--insecure"], tmp_path)
    assert_clean_failure(outcome, ExitCode.NOT_FOUND, "no-such-tag")
