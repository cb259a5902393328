"""Small real images for the archive tests, built with umoci and skopeo (and, for the two `docker save`
layouts that no tool here writes, assembled from those images' own blobs with tarfile).

Layer tars are made with Python's tarfile and fixed mtimes, so their digests (= diff_ids) are known up front.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@dataclass(frozen=True)
class LayerTar:
    data: bytes
    """The uncompressed tar: its sha256 is the layer's diff_id."""

    @property
    def diff_id(self) -> str:
        return sha256(self.data)


@dataclass(frozen=True)
class BuiltImages:
    layout: Path
    """umoci layout: tags `amd64` (2 layers), `arm64` (1 layer), `multi` (index of both + an attestation) and
    `nested` (index → `multi` index)."""
    v2s2_layout: Path
    """skopeo --format v2s2 copy of `amd64`, tag `v2s2`."""
    oci_archive: Path
    """skopeo oci-archive of `amd64`, tag `amd64`."""
    docker_archive: Path
    """skopeo docker-archive of `amd64`, RepoTag `example.com/app:1.0`."""
    legacy_docker_archive: Path
    """Classic `docker save` layout with two images: `<id>/layer.tar`, tags `app:amd64` and `app:arm64`."""
    docker25_archive: Path
    """Docker 25+ layout (manifest.json + embedded OCI layout) of `amd64`, RepoTag `app:1.0`."""
    base_layer: LayerTar
    app_layer: LayerTar
    arm_layer: LayerTar


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_layer(files: dict[str, bytes]) -> LayerTar:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(content), 1_700_000_000, 0o644
            archive.addfile(info, io.BytesIO(content))
    return LayerTar(buffer.getvalue())


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=120)


def read_json(path: Path) -> dict[str, object]:
    value = json.loads(path.read_bytes())
    assert isinstance(value, dict)
    return value


def blob_path(layout: Path, digest: str) -> Path:
    algorithm, encoded = digest.split(":")
    return layout / "blobs" / algorithm / encoded


def add_blob(layout: Path, data: bytes) -> str:
    digest = sha256(data)
    blob_path(layout, digest).write_bytes(data)
    return digest


def ref_descriptor(layout: Path, ref: str) -> dict[str, object]:
    index = read_json(layout / "index.json")
    manifests = index["manifests"]
    assert isinstance(manifests, list)
    for entry in manifests:
        if entry.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
            return dict(entry)
    raise AssertionError(f"no ref {ref} in {layout}")


def build_images(root: Path) -> BuiltImages:
    base = make_layer({"etc/os-release": b"ID=regwarden-test\nVERSION_ID=1\n", "bin/sh": b"#!fake shell\n"})
    app = make_layer({"srv/app/app.py": b"print('hello')\n"})
    arm = make_layer({"etc/os-release": b"ID=regwarden-test\nVERSION_ID=1-arm\n"})
    layout = root / "layout"
    _build_umoci_layout(root, layout, base, app, arm)
    _add_multi_arch_indexes(layout)
    v2s2, oci_archive, docker_archive = root / "v2s2", root / "app-oci.tar", root / "app-docker.tar"
    run("skopeo", "copy", "-q", "--format", "v2s2", f"oci:{layout}:amd64", f"oci:{v2s2}:v2s2")
    run("skopeo", "copy", "-q", f"oci:{layout}:amd64", f"oci-archive:{oci_archive}:amd64")
    run("skopeo", "copy", "-q", f"oci:{layout}:amd64", f"docker-archive:{docker_archive}:example.com/app:1.0")
    legacy = root / "legacy-docker.tar"
    write_legacy_docker_archive(legacy, layout, {"app:amd64": "amd64", "app:arm64": "arm64"})
    docker25 = root / "docker25.tar"
    write_docker25_archive(docker25, layout, "amd64", "app:1.0")
    return BuiltImages(layout, v2s2, oci_archive, docker_archive, legacy, docker25, base, app, arm)


def _build_umoci_layout(root: Path, layout: Path, base: LayerTar, app: LayerTar, arm: LayerTar) -> None:
    for name, layer in (("base", base), ("app", app), ("arm", arm)):
        (root / f"{name}.tar").write_bytes(layer.data)
    run("umoci", "init", "--layout", str(layout))
    for tag, arch, layers in (("amd64", "amd64", ("base", "app")), ("arm64", "arm64", ("arm",))):
        image = f"{layout}:{tag}"
        run("umoci", "new", "--image", image)
        for name in layers:
            created_by = f"COPY {name}.tar /"
            run(
                "umoci",
                "raw",
                "add-layer",
                "--history.created_by",
                created_by,
                "--image",
                image,
                str(root / f"{name}.tar"),
            )
        run(
            "umoci", "config", "--image", image, "--os", "linux", "--architecture", arch,
            "--config.user", "app", "--config.env", "APP_ENV=test", "--config.cmd", "/srv/app/app.py",
            "--config.workingdir", "/srv/app", "--config.label", "org.opencontainers.image.version=1.0",
            "--config.exposedports", "8080/tcp", "--history.created_by", "CMD /srv/app/app.py",
        )  # fmt: skip
    run("umoci", "gc", "--layout", str(layout))


def _add_multi_arch_indexes(layout: Path) -> None:
    """`multi`: an index of both images and a BuildKit-style attestation; `nested`: an index of `multi`."""
    amd64, arm64 = ref_descriptor(layout, "amd64"), ref_descriptor(layout, "arm64")
    attestation_body = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST}).encode()
    entries = [
        {**_plain(amd64), "platform": {"os": "linux", "architecture": "amd64"}},
        {**_plain(arm64), "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        {
            "mediaType": OCI_MANIFEST,
            "digest": add_blob(layout, attestation_body),
            "size": len(attestation_body),
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
        },
    ]
    multi = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
    multi_entry = {"mediaType": OCI_INDEX, "digest": add_blob(layout, multi), "size": len(multi)}
    nested = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [multi_entry]}).encode()
    nested_entry = {"mediaType": OCI_INDEX, "digest": add_blob(layout, nested), "size": len(nested)}
    index = read_json(layout / "index.json")
    manifests = index["manifests"]
    assert isinstance(manifests, list)
    manifests.append({**multi_entry, "annotations": {"org.opencontainers.image.ref.name": "multi"}})
    manifests.append({**nested_entry, "annotations": {"org.opencontainers.image.ref.name": "nested"}})
    (layout / "index.json").write_text(json.dumps(index))


def _plain(descriptor: dict[str, object]) -> dict[str, object]:
    return {key: descriptor[key] for key in ("mediaType", "digest", "size")}


def image_blobs(layout: Path, ref: str) -> tuple[bytes, bytes, list[bytes]]:
    """(manifest, config, compressed layers) of a tag in a layout."""
    manifest_bytes = blob_path(layout, str(ref_descriptor(layout, ref)["digest"])).read_bytes()
    manifest = json.loads(manifest_bytes)
    config = blob_path(layout, manifest["config"]["digest"]).read_bytes()
    layers = [blob_path(layout, layer["digest"]).read_bytes() for layer in manifest["layers"]]
    return manifest_bytes, config, layers


def add_member(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), 1_700_000_000
    archive.addfile(info, io.BytesIO(data))


def write_legacy_docker_archive(target: Path, layout: Path, tags: dict[str, str]) -> None:
    """`docker save` before Docker 25: `<config hex>.json`, `<layer id>/layer.tar` (uncompressed)."""
    entries = []
    with tarfile.open(target, "w") as archive:
        for repo_tag, ref in tags.items():
            _, config, layers = image_blobs(layout, ref)
            config_name = sha256(config).split(":")[1] + ".json"
            add_member(archive, config_name, config)
            layer_names = []
            for compressed in layers:
                uncompressed = gzip.decompress(compressed)
                name = hashlib.sha256(b"v1-id" + uncompressed).hexdigest() + "/layer.tar"
                add_member(archive, name, uncompressed)
                layer_names.append(name)
            entries.append({"Config": config_name, "RepoTags": [repo_tag], "Layers": layer_names})
        add_member(archive, "manifest.json", json.dumps(entries).encode())


def write_docker25_archive(target: Path, layout: Path, ref: str, repo_tag: str) -> None:
    """Docker 25+: an OCI layout in the tar, and manifest.json pointing into blobs/sha256/."""
    manifest_bytes, config, layers = image_blobs(layout, ref)
    manifest_digest = sha256(manifest_bytes)
    index = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": manifest_digest,
                "size": len(manifest_bytes),
                "annotations": {"io.containerd.image.name": f"docker.io/library/{repo_tag}"},
            }
        ],
    }
    saved = [
        {
            "Config": "blobs/sha256/" + sha256(config).split(":")[1],
            "RepoTags": [repo_tag],
            "Layers": ["blobs/sha256/" + sha256(layer).split(":")[1] for layer in layers],
        }
    ]
    with tarfile.open(target, "w") as archive:
        add_member(archive, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        add_member(archive, "index.json", json.dumps(index).encode())
        add_member(archive, "manifest.json", json.dumps(saved).encode())
        for blob in (manifest_bytes, config, *layers):
            add_member(archive, "blobs/sha256/" + sha256(blob).split(":")[1], blob)
