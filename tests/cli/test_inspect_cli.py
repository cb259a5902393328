"""`regwarden inspect` on the real test images, every source form and auth mode, checked against skopeo.

skopeo is the independent oracle: for each source the JSON output is compared field by field with what
`skopeo inspect` (manifest digest, layers, labels, env), `skopeo inspect --config` (diff IDs, history, cmd)
and `skopeo inspect --raw` (config digest, index entries) report for the same reference.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.cli.cli_support import invoke, invoke_json
from tests.support.images import archive_path, layout_ref
from tests.support.registry import RunningRegistry, push

SKOPEO_TIMEOUT_S = 120
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def skopeo(*args: str, raw_bytes: bool = False) -> Any:
    command = ["skopeo", *args]
    completed = subprocess.run(command, capture_output=True, check=False, timeout=SKOPEO_TIMEOUT_S)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    return completed.stdout if raw_bytes else json.loads(completed.stdout)


def skopeo_views(transport_ref: str, *tls: str) -> tuple[Any, Any, Any]:
    """(`inspect`, `inspect --config`, `inspect --raw`) of one skopeo reference."""
    return (
        skopeo("inspect", *tls, transport_ref),
        skopeo("inspect", *tls, "--config", transport_ref),
        skopeo("inspect", *tls, "--raw", transport_ref),
    )


def assert_matches_skopeo(ours: Mapping[str, Any], transport_ref: str, *tls: str) -> None:
    """Every field skopeo also knows, for an image whose manifest is stored (layout, archive, registry)."""
    summary, config, manifest = skopeo_views(transport_ref, *tls)
    assert ours["digest"] == summary["Digest"]
    # mediaType is optional inside an OCI manifest (the descriptor pointing at it carries it).
    assert ours["mediaType"] == manifest.get("mediaType", OCI_MANIFEST)
    assert ours["configDigest"] == manifest["config"]["digest"]
    platform = (config["os"], config["architecture"], config.get("variant"))
    assert ours["platform"] == "/".join(part for part in platform if part)
    assert [layer["digest"] for layer in ours["layers"]] == summary["Layers"]
    assert [layer["digest"] for layer in ours["layers"]] == [d["digest"] for d in manifest["layers"]]
    assert [layer["size"] for layer in ours["layers"]] == [d["size"] for d in manifest["layers"]]
    assert [layer["mediaType"] for layer in ours["layers"]] == [d["mediaType"] for d in manifest["layers"]]
    assert ours["size"] == sum(d["size"] for d in manifest["layers"])
    assert_config_matches(ours, config)


def assert_config_matches(ours: Mapping[str, Any], config: Mapping[str, Any]) -> None:
    """The image config: what both a stored and a synthesised (docker-archive) manifest point at."""
    settings = config["config"]
    assert ours["created"] == config["created"]
    assert [layer["diffID"] for layer in ours["layers"]] == config["rootfs"]["diff_ids"]
    assert [layer["createdBy"] for layer in ours["layers"]] == [h["created_by"] for h in config["history"]]
    assert [h["createdBy"] for h in ours["history"]] == [h["created_by"] for h in config["history"]]
    # Absent keys in the config (the base image sets no WorkingDir) must come out as empty, not invented.
    assert ours["config"]["env"] == settings.get("Env", [])
    assert ours["config"]["cmd"] == settings.get("Cmd")
    assert ours["config"]["workingDir"] == settings.get("WorkingDir")
    assert ours["config"]["labels"] == settings.get("Labels", {})
    assert ours["config"]["entrypoint"] is None and ours["config"]["user"] is None


# -- local sources -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["base", "pyapp-1.0", "pyapp-1.1", "pyapp-1.1-zstd"])
def test_oci_layout_matches_skopeo(test_images: Path, ref: str) -> None:
    spec = layout_ref(test_images, ref)
    ours = invoke_json(["inspect", spec])
    assert ours["reference"] == spec
    assert ours["indexDigest"] is None
    assert_matches_skopeo(ours, spec)


def test_zstd_layers_are_reported_with_their_media_type(test_images: Path) -> None:
    ours = invoke_json(["inspect", layout_ref(test_images, "pyapp-1.1-zstd")])
    assert {layer["mediaType"] for layer in ours["layers"]} == {"application/vnd.oci.image.layer.v1.tar+zstd"}


@pytest.mark.parametrize("ref", ["base", "pyapp-1.1"])
def test_oci_archive_matches_skopeo(test_images: Path, ref: str) -> None:
    path = archive_path(test_images, ref, "oci")
    ours = invoke_json(["inspect", f"oci-archive:{path}"])
    assert_matches_skopeo(ours, f"oci-archive:{path}")
    # The archive holds the same manifest as the layout it was written from.
    assert ours["digest"] == invoke_json(["inspect", layout_ref(test_images, ref)])["digest"]


@pytest.mark.parametrize("ref", ["base", "pyapp-1.0", "pyapp-1.1"])
def test_docker_archive_matches_skopeo(test_images: Path, ref: str) -> None:
    """`docker save` stores no manifest, so there is no digest to agree on: config and layers must match."""
    path = archive_path(test_images, ref, "docker")
    ours = invoke_json(["inspect", f"docker-archive:{path}"])
    summary, config, manifest = skopeo_views(f"docker-archive:{path}")
    assert ours["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert ours["configDigest"] == manifest["config"]["digest"]
    # Layers are stored uncompressed: digest, diff ID and skopeo's layer digests are the same value.
    assert [layer["digest"] for layer in ours["layers"]] == summary["Layers"]
    assert [layer["size"] for layer in ours["layers"]] == [entry["size"] for entry in manifest["layers"]]
    assert_config_matches(ours, config)


def test_multi_arch_layout_selects_the_requested_platform(test_images: Path) -> None:
    spec = layout_ref(test_images, "multi")
    index = skopeo("inspect", "--raw", spec, raw_bytes=True)
    entries = {
        "/".join(filter(None, (m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")))): m
        for m in json.loads(index)["manifests"]
    }
    arm = invoke_json(["inspect", spec, "--platform", "linux/arm64/v8"])
    amd = invoke_json(["inspect", spec])
    assert arm["digest"] == entries["linux/arm64/v8"]["digest"]
    assert amd["digest"] == entries["linux/amd64"]["digest"]
    assert arm["indexDigest"] == amd["indexDigest"] == "sha256:" + hashlib.sha256(index).hexdigest()
    assert (arm["platform"], amd["platform"]) == ("linux/arm64/v8", "linux/amd64")
    # skopeo reports the index digest for a multi-arch reference, so compare with the arm64 image's own ref.
    assert_matches_skopeo(arm, layout_ref(test_images, "busybox-arm64"))


def test_table_output_shows_digest_and_every_layer(test_images: Path) -> None:
    spec = layout_ref(test_images, "pyapp-1.1")
    ours = invoke_json(["inspect", spec])
    outcome = invoke(["inspect", spec])
    assert outcome.code == 0
    assert ours["digest"] in outcome.stdout
    assert "Layers (4)" in outcome.stdout
    assert "linux/amd64" in outcome.stdout
    assert "org.opencontainers.image.version=1.1" in outcome.stdout


def test_output_file_gets_the_json(test_images: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "inspect.json"
    outcome = invoke(["inspect", layout_ref(test_images, "base"), "-o", "json", "--output-file", str(target)])
    assert outcome.code == 0
    assert outcome.stdout == ""
    assert (
        json.loads(target.read_text())["digest"] == invoke_json(["inspect", layout_ref(test_images, "base")])["digest"]
    )


# -- registry, anonymous -------------------------------------------------------------------------------------

TLS_OFF = "--tls-verify=false"


@pytest.mark.parametrize("name", ["pyapp-1.1", "pyapp-1.0-v2s2", "pyapp-1.1-zstd", "base-latest"])
def test_registry_tag_matches_skopeo(pushed_images: Mapping[str, str], name: str) -> None:
    reference = pushed_images[name]
    ours = invoke_json(["inspect", reference, "--insecure"])
    assert ours["reference"] == reference
    assert_matches_skopeo(ours, f"docker://{reference}", TLS_OFF)


def test_registry_v2s2_push_has_docker_media_types(pushed_images: Mapping[str, str]) -> None:
    ours = invoke_json(["inspect", pushed_images["pyapp-1.0-v2s2"], "--insecure"])
    assert ours["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert {layer["mediaType"] for layer in ours["layers"]} == {"application/vnd.docker.image.rootfs.diff.tar.gzip"}


def test_registry_by_digest(pushed_images: Mapping[str, str]) -> None:
    """The untagged rc manifest is reachable only by digest; a digest reference to a tagged one agrees too."""
    untagged = pushed_images["pyapp-1.0-rc1"]
    ours = invoke_json(["inspect", untagged, "--insecure"])
    assert ours["digest"] == untagged.rpartition("@")[2]
    assert_matches_skopeo(ours, f"docker://{untagged}", TLS_OFF)
    tagged = invoke_json(["inspect", pushed_images["pyapp-1.1"], "--insecure"])
    repository = pushed_images["pyapp-1.1"].rpartition(":")[0]
    by_digest = invoke_json(["inspect", f"{repository}@{tagged['digest']}", "--insecure"])
    assert by_digest["digest"] == tagged["digest"]
    assert by_digest["layers"] == tagged["layers"]


def test_registry_multi_arch_platform(pushed_images: Mapping[str, str], test_images: Path) -> None:
    reference = pushed_images["multi"]
    arm = invoke_json(["inspect", reference, "--insecure", "--platform", "linux/arm64/v8"])
    local = invoke_json(["inspect", layout_ref(test_images, "busybox-arm64")])
    assert arm["platform"] == "linux/arm64/v8"
    assert arm["digest"] == local["digest"]
    raw_index = skopeo("inspect", TLS_OFF, "--raw", f"docker://{reference}", raw_bytes=True)
    assert arm["indexDigest"] == "sha256:" + hashlib.sha256(raw_index).hexdigest()
    assert [layer["digest"] for layer in arm["layers"]] == [layer["digest"] for layer in local["layers"]]


# -- registry, authenticated ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic_image(test_images: Path, basic_auth_registry: RunningRegistry) -> str:
    reference = f"{basic_auth_registry.host}/private/pyapp:1.1"
    push(layout_ref(test_images, "pyapp-1.1"), reference, "oci", creds=basic_auth_registry.creds)
    return reference


@pytest.fixture(scope="module")
def token_image(test_images: Path, token_auth_registry: RunningRegistry) -> str:
    reference = f"{token_auth_registry.host}/private/pyapp:1.1"
    push(layout_ref(test_images, "pyapp-1.1"), reference, "oci", creds=token_auth_registry.creds)
    return reference


@pytest.fixture(scope="module")
def pyapp_digest(test_images: Path) -> str:
    digest: str = invoke_json(["inspect", layout_ref(test_images, "pyapp-1.1")])["digest"]
    return digest


def empty_docker_config(tmp_path: Path) -> dict[str, str]:
    """An environment whose docker config has no logins, so only the credentials under test can apply."""
    directory = tmp_path / "docker-empty"
    directory.mkdir()
    return {"DOCKER_CONFIG": str(directory)}


def test_basic_auth_with_flags(
    basic_image: str, basic_auth_registry: RunningRegistry, pyapp_digest: str, tmp_path: Path
) -> None:
    user, password = basic_auth_registry.creds or ("", "")
    ours = invoke_json(
        ["inspect", basic_image, "--insecure", "-u", user, "-p", password], empty_docker_config(tmp_path)
    )
    assert ours["digest"] == pyapp_digest


def test_basic_auth_with_environment(
    basic_image: str, basic_auth_registry: RunningRegistry, pyapp_digest: str, tmp_path: Path
) -> None:
    user, password = basic_auth_registry.creds or ("", "")
    env = {**empty_docker_config(tmp_path), "REGWARDEN_USERNAME": user, "REGWARDEN_PASSWORD": password}
    assert invoke_json(["inspect", basic_image, "--insecure"], env)["digest"] == pyapp_digest


def test_basic_auth_with_docker_config(
    basic_image: str, basic_auth_registry: RunningRegistry, pyapp_digest: str, tmp_path: Path
) -> None:
    user, password = basic_auth_registry.creds or ("", "")
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    (tmp_path / "config.json").write_text(json.dumps({"auths": {basic_auth_registry.host: {"auth": auth}}}))
    assert (
        invoke_json(["inspect", basic_image, "--insecure"], {"DOCKER_CONFIG": str(tmp_path)})["digest"] == pyapp_digest
    )


def test_token_auth_with_flags(
    token_image: str, token_auth_registry: RunningRegistry, pyapp_digest: str, tmp_path: Path
) -> None:
    server = token_auth_registry.token_server
    assert server is not None
    server.reset()
    user, password = token_auth_registry.creds or ("", "")
    ours = invoke_json(
        ["inspect", token_image, "--insecure", "-u", user, "-p", password], empty_docker_config(tmp_path)
    )
    assert ours["digest"] == pyapp_digest
    # The registry really went through the token server, for this repository and pull only.
    assert set(server.issued) == {"repository:private/pyapp:pull"}


def test_token_auth_with_identity_token_in_docker_config(
    token_image: str, token_auth_registry: RunningRegistry, pyapp_digest: str, tmp_path: Path
) -> None:
    server = token_auth_registry.token_server
    assert server is not None
    server.reset()
    entry = {"auth": base64.b64encode(b"<token>:").decode(), "identitytoken": server.refresh_token}
    (tmp_path / "config.json").write_text(json.dumps({"auths": {token_auth_registry.host: entry}}))
    assert (
        invoke_json(["inspect", token_image, "--insecure"], {"DOCKER_CONFIG": str(tmp_path)})["digest"] == pyapp_digest
    )
    assert server.issued
