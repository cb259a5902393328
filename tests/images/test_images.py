"""Sanity of the built fixture images: the refs, archives, expected package lists and special layers are what
tests elsewhere rely on. Everything is checked against the images themselves (blobs, skopeo, dpkg-query),
never against regwarden."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import (
    ARCHIVE_REFS,
    BUILD_SCRIPT,
    LAYOUT_REFS,
    REPO,
    ExpectedPackages,
    PythonPackage,
    archive_path,
    build_images,
    layout_ref,
)

SITE = "usr/local/lib/python3.11/site-packages"
AARCH64_ELF_MACHINE = 0xB7


def read_blob(images: Path, digest: str) -> bytes:
    return (images / "oci" / "blobs" / "sha256" / digest.removeprefix("sha256:")).read_bytes()


def read_json_blob(images: Path, digest: str) -> Any:
    return json.loads(read_blob(images, digest))


def ref_descriptors(images: Path) -> dict[str, dict[str, Any]]:
    index = json.loads((images / "oci" / "index.json").read_text())
    return {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index["manifests"]}


def manifest(images: Path, ref: str) -> Any:
    return read_json_blob(images, ref_descriptors(images)[ref]["digest"])


def config(images: Path, ref: str) -> Any:
    return read_json_blob(images, manifest(images, ref)["config"]["digest"])


def open_layer(images: Path, layer_digest: str) -> tarfile.TarFile:
    """A gzip layer blob of the layout as a tar (the fixture layers are small enough to hold in memory)."""
    return tarfile.open(fileobj=io.BytesIO(gzip.decompress(read_blob(images, layer_digest))))


def layer_names(images: Path, layer_digest: str) -> set[str]:
    with open_layer(images, layer_digest) as archive:
        return {name.removeprefix("./") for name in archive.getnames()}


def skopeo_inspect(reference: str, *flags: str) -> Any:
    result = subprocess.run(["skopeo", "inspect", *flags, reference], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"skopeo inspect {reference} failed: {result.stderr}"
    return json.loads(result.stdout)


def test_layout_has_exactly_the_documented_refs(test_images: Path) -> None:
    assert set(ref_descriptors(test_images)) == LAYOUT_REFS


def test_layer_counts_follow_the_build_steps(test_images: Path) -> None:
    counts = {ref: len(manifest(test_images, ref)["layers"]) for ref in LAYOUT_REFS - {"multi"}}
    assert counts == {
        "base": 1,
        "pyapp-1.0": 3,
        "pyapp-1.0-rc1": 3,
        "pyapp-1.1": 4,
        "pyapp-1.1-zstd": 4,
        "busybox-arm64": 1,
    }


def test_rc1_shares_layers_with_1_0_but_is_another_manifest(test_images: Path) -> None:
    refs = ref_descriptors(test_images)
    assert refs["pyapp-1.0-rc1"]["digest"] != refs["pyapp-1.0"]["digest"]
    assert manifest(test_images, "pyapp-1.0-rc1")["layers"] == manifest(test_images, "pyapp-1.0")["layers"]


@pytest.mark.parametrize("ref", ARCHIVE_REFS)
@pytest.mark.parametrize("kind", ["oci", "docker"])
def test_archives_are_readable_by_skopeo_and_hold_the_same_layers(test_images: Path, ref: str, kind: str) -> None:
    path = archive_path(test_images, ref, kind)
    transport = "oci-archive" if kind == "oci" else "docker-archive"
    archived = skopeo_inspect(f"{transport}:{path}", "--config")
    assert archived["rootfs"]["diff_ids"] == config(test_images, ref)["rootfs"]["diff_ids"]
    assert archived["architecture"] == "amd64"


def test_oci_archive_keeps_the_manifest_digest(test_images: Path) -> None:
    archived = skopeo_inspect(f"oci-archive:{archive_path(test_images, 'pyapp-1.1', 'oci')}")
    assert archived["Digest"] == ref_descriptors(test_images)["pyapp-1.1"]["digest"]


def dpkg_query_installed(admindir: Path) -> set[tuple[str, str]]:
    out = subprocess.run(
        ["dpkg-query", f"--admindir={admindir}", "-W", "-f=${db:Status-Abbrev}\t${Package}\t${Version}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = (line.split("\t") for line in out.splitlines())
    return {(name, version) for status, name, version in rows if status.strip() == "ii"}


def test_base_deb_list_is_what_dpkg_query_reads_from_the_image_layer(
    test_images: Path, expected_packages: ExpectedPackages, tmp_path: Path
) -> None:
    layer = manifest(test_images, "base")["layers"][0]
    with open_layer(test_images, layer["digest"]) as archive:
        status = archive.extractfile("./var/lib/dpkg/status")
        assert status is not None
        admindir = tmp_path / "dpkg"
        (admindir / "updates").mkdir(parents=True)
        (admindir / "status").write_bytes(status.read())
    from_image = dpkg_query_installed(admindir)
    expected = {(p.name, p.version) for p in expected_packages.images["base"].deb}
    assert expected == from_image
    assert 80 <= len(from_image) <= 130  # a bookworm minbase; far off means the wrong variant was built
    assert {"base-files", "dpkg", "libc6", "apt"} <= {name for name, _ in from_image}


def test_pyapp_expected_lists_hold_the_requested_pins(expected_packages: ExpectedPackages) -> None:
    pyapp = expected_packages.images["pyapp-1.0"]
    requested = {("requests", "2.20.0"), ("urllib3", "1.24.1"), ("PyYAML", "5.3"), ("Jinja2", "2.10")}
    assert requested <= {(p.name, p.version) for p in pyapp.python}
    npm = {(p.name, p.version, p.path) for p in pyapp.npm}
    assert {
        ("lodash", "4.17.15", "/app/node_modules/lodash"),
        ("minimist", "1.2.0", "/app/node_modules/minimist"),
        ("axios", "0.21.0", "/app/node_modules/axios"),
    } <= npm
    assert pyapp.deb == expected_packages.images["base"].deb


def test_pyapp_1_1_expects_exactly_the_whited_out_packages_gone(expected_packages: ExpectedPackages) -> None:
    old, new = expected_packages.images["pyapp-1.0"], expected_packages.images["pyapp-1.1"]
    assert old.python - new.python == {PythonPackage("PyYAML", "5.3")}
    assert new.python < old.python
    assert {p.name for p in old.npm - new.npm} == {"minimist"}
    assert new.npm < old.npm
    assert expected_packages.images["pyapp-1.1-zstd"] == new


def test_whiteout_layer_has_exactly_the_whiteout_entries(test_images: Path) -> None:
    last = manifest(test_images, "pyapp-1.1")["layers"][-1]
    whiteouts = {name for name in layer_names(test_images, last["digest"]) if "/.wh." in f"/{name}"}
    assert whiteouts == {
        f"{SITE}/.wh.yaml",
        f"{SITE}/.wh.pyyaml-5.3.dist-info",
        "app/node_modules/.wh.minimist",
        "etc/.wh.motd",
        "usr/share/doc/.wh..wh..opq",
    }


def test_whited_out_paths_exist_in_lower_layers(test_images: Path) -> None:
    layers = manifest(test_images, "pyapp-1.0")["layers"]
    lower = set().union(*(layer_names(test_images, layer["digest"]) for layer in layers))
    assert {f"{SITE}/yaml/__init__.py", f"{SITE}/pyyaml-5.3.dist-info/METADATA"} <= lower
    assert {"app/node_modules/minimist/package.json", "etc/motd", "usr/share/doc/dpkg/copyright"} <= lower


def test_zstd_variant_has_zstd_layers_with_the_same_content(test_images: Path) -> None:
    layers = manifest(test_images, "pyapp-1.1-zstd")["layers"]
    assert {layer["mediaType"] for layer in layers} == {"application/vnd.oci.image.layer.v1.tar+zstd"}
    assert config(test_images, "pyapp-1.1-zstd")["rootfs"] == config(test_images, "pyapp-1.1")["rootfs"]


def platform_key(platform: Mapping[str, str]) -> str:
    parts = [platform["os"], platform["architecture"], platform.get("variant", "")]
    return "/".join(part for part in parts if part)


def test_multi_index_points_at_real_amd64_and_arm64_images(
    test_images: Path, expected_packages: ExpectedPackages
) -> None:
    refs = ref_descriptors(test_images)
    index = manifest(test_images, "multi")
    by_platform = {platform_key(m["platform"]): m["digest"] for m in index["manifests"]}
    members = expected_packages.indexes["multi"]
    assert by_platform == {platform: refs[ref]["digest"] for platform, ref in members.items()}
    arm_config = config(test_images, "busybox-arm64")
    assert (arm_config["os"], arm_config["architecture"], arm_config["variant"]) == ("linux", "arm64", "v8")


def test_arm64_member_is_an_aarch64_busybox_recorded_by_dpkg(
    test_images: Path, expected_packages: ExpectedPackages
) -> None:
    layer = manifest(test_images, "busybox-arm64")["layers"][0]
    with open_layer(test_images, layer["digest"]) as archive:
        member = archive.extractfile("./bin/busybox")
        assert member is not None
        header = member.read(20)
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == AARCH64_ELF_MACHINE
    assert {(p.name, p.architecture) for p in expected_packages.images["busybox-arm64"].deb} == {
        ("busybox-static", "arm64")
    }


def test_build_is_skipped_when_the_stamp_matches(test_images: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT)],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "REGWARDEN_TEST_IMAGES": str(test_images)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "up to date" in result.stdout
    assert time.monotonic() - started < 10


def test_pushed_images_resolve_in_the_registry(pushed_images: Mapping[str, str], test_images: Path) -> None:
    digests = ref_descriptors(test_images)
    pushed_11 = skopeo_inspect(f"docker://{pushed_images['pyapp-1.1']}", "--tls-verify=false")
    assert pushed_11["Digest"] == digests["pyapp-1.1"]["digest"]
    rc = skopeo_inspect(f"docker://{pushed_images['pyapp-rc']}", "--tls-verify=false")
    assert rc["Digest"] == digests["pyapp-1.0"]["digest"]
    untagged = skopeo_inspect(f"docker://{pushed_images['pyapp-1.0-rc1']}", "--tls-verify=false")
    assert untagged["Labels"]["org.opencontainers.image.version"] == "1.0-rc1"


def test_pushed_v2s2_zstd_and_index_keep_their_media_types(pushed_images: Mapping[str, str]) -> None:
    raw = {
        name: skopeo_inspect(f"docker://{pushed_images[name]}", "--tls-verify=false", "--raw")
        for name in ("pyapp-1.0-v2s2", "pyapp-1.1-v2s2", "pyapp-1.1-zstd", "multi", "multi-v2s2")
    }
    assert raw["pyapp-1.0-v2s2"]["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert raw["pyapp-1.1-v2s2"]["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert raw["multi-v2s2"]["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert len(raw["multi-v2s2"]["manifests"]) == 2
    zstd_types = {layer["mediaType"] for layer in raw["pyapp-1.1-zstd"]["layers"]}
    assert zstd_types == {"application/vnd.oci.image.layer.v1.tar+zstd"}
    assert {platform_key(m["platform"]) for m in raw["multi"]["manifests"]} == {
        "linux/amd64",
        "linux/arm64/v8",
    }
    arm64 = skopeo_inspect(
        f"docker://{pushed_images['multi']}", "--tls-verify=false", "--override-arch", "arm64", "--config"
    )
    assert arm64["architecture"] == "arm64"


def test_layout_refs_are_usable_references(test_images: Path) -> None:
    inspected = skopeo_inspect(layout_ref(test_images, "base"))
    assert inspected["Labels"]["org.opencontainers.image.title"] == "regwarden-fixture-base"


def test_a_failed_build_fails_the_test_with_the_build_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON", "/bin/false")  # a python without pip: build.sh stops before any download
    with pytest.raises(pytest.fail.Exception, match=r"(?s)exit code 2.*missing tools: pip for /bin/false"):
        build_images(tmp_path / "never-built")
    assert not (tmp_path / "never-built" / ".stamp").exists()


SAMPLE = REPO / "samples" / "demo.oci.tar"


def blob_from(outer: tarfile.TarFile, name: str) -> bytes:
    member = outer.extractfile(name)
    assert member is not None, f"{name} is missing"
    return member.read()


def sample_layers() -> list[tarfile.TarFile]:
    """The committed demo image's layers, read straight from the oci-archive (a tar of an OCI layout)."""
    with tarfile.open(SAMPLE) as outer:
        index = json.loads(blob_from(outer, "index.json"))
        digest = index["manifests"][0]["digest"].removeprefix("sha256:")
        image = json.loads(blob_from(outer, f"blobs/sha256/{digest}"))
        blobs = [
            blob_from(outer, f"blobs/sha256/{layer['digest'].removeprefix('sha256:')}") for layer in image["layers"]
        ]
    return [tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) for data in blobs]


def test_sample_image_is_small_and_readable_by_skopeo() -> None:
    assert SAMPLE.stat().st_size < 3 * 2**20
    inspected = skopeo_inspect(f"oci-archive:{SAMPLE}")
    assert (inspected["Os"], inspected["Architecture"], len(inspected["Layers"])) == ("linux", "amd64", 2)


def test_sample_image_holds_the_documented_packages(tmp_path: Path) -> None:
    os_layer, app_layer = sample_layers()
    with os_layer:
        status = os_layer.extractfile("./var/lib/dpkg/status")
        assert status is not None
        (tmp_path / "updates").mkdir()
        (tmp_path / "status").write_bytes(status.read())
        assert "./bin/busybox" in os_layer.getnames()
    assert {name for name, _ in dpkg_query_installed(tmp_path)} == {"base-files", "busybox-static"}
    with app_layer:
        top = {name.split("/")[5] for name in app_layer.getnames() if name.startswith(f"{SITE}/")}
        lodash = json.loads(blob_from(app_layer, "app/node_modules/lodash/package.json"))
    assert {name for name in top if name.endswith(".dist-info")} == {
        "urllib3-1.24.1.dist-info",
        "Jinja2-2.10.dist-info",
        "MarkupSafe-2.1.5.dist-info",
    }
    assert (lodash["name"], lodash["version"]) == ("lodash", "4.17.15")
