"""`docker save` archives as image sources: skopeo's output, the classic layout and the Docker 25+ layout."""

from __future__ import annotations

import gzip
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.model.image import Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.docker_archive import DockerArchiveSource
from tests.oci.archive_images import (
    BuiltImages,
    add_member,
    image_blobs,
    ref_descriptor,
    sha256,
)

AMD64 = Platform("linux", "amd64")


def read_all_layers(source: DockerArchiveSource) -> list[bytes]:
    contents = []
    for layer in source.resolve().layers:
        with source.open_layer(layer) as stream:
            data = stream.read()
        contents.append(gzip.decompress(data) if mt.layer_compression(layer.media_type) == "gzip" else data)
    return contents


def test_skopeo_docker_archive(images: BuiltImages) -> None:
    source = DockerArchiveSource(images.docker_archive, None, AMD64)
    metadata = source.resolve()
    diff_ids = [images.base_layer.diff_id, images.app_layer.diff_id]
    # The layers are stored uncompressed, so each blob digest is its diff_id.
    assert [(layer.digest, layer.diff_id) for layer in metadata.layers] == list(zip(diff_ids, diff_ids, strict=True))
    assert {layer.media_type for layer in metadata.layers} == {mt.DOCKER_LAYER_TAR}
    assert [layer.size for layer in metadata.layers] == [
        len(images.base_layer.data),
        len(images.app_layer.data),
    ]
    assert metadata.tags == ("example.com/app:1.0",)
    assert metadata.media_type == mt.DOCKER_MANIFEST_V2
    _, config, _ = image_blobs(images.layout, "amd64")
    assert metadata.config_digest == sha256(config)
    assert metadata.config.user == "app"
    assert read_all_layers(source) == [images.base_layer.data, images.app_layer.data]


def test_synthesized_manifest_digest_is_stable(images: BuiltImages) -> None:
    first = DockerArchiveSource(images.docker_archive, None, AMD64).resolve().digest
    second = DockerArchiveSource(images.docker_archive, "example.com/app:1.0", AMD64).resolve().digest
    assert first == second
    assert first.startswith("sha256:")


def test_legacy_layout_selects_by_tag(images: BuiltImages) -> None:
    amd64 = DockerArchiveSource(images.legacy_docker_archive, "app:amd64", AMD64)
    assert [layer.diff_id for layer in amd64.resolve().layers] == [
        images.base_layer.diff_id,
        images.app_layer.diff_id,
    ]
    assert read_all_layers(amd64) == [images.base_layer.data, images.app_layer.data]
    arm64 = DockerArchiveSource(images.legacy_docker_archive, "docker.io/library/app:arm64", AMD64)
    assert arm64.resolve().platform == Platform("linux", "arm64")
    assert read_all_layers(arm64) == [images.arm_layer.data]


def test_legacy_layout_selects_by_position(images: BuiltImages) -> None:
    metadata = DockerArchiveSource(images.legacy_docker_archive, "@1", AMD64).resolve()
    assert metadata.tags == ("app:arm64",)
    with pytest.raises(NotFoundError, match="no image @2"):
        DockerArchiveSource(images.legacy_docker_archive, "@2", AMD64).resolve()


def test_several_images_without_ref_list_the_tags(images: BuiltImages) -> None:
    with pytest.raises(BadInputError, match="holds 2 images; choose one with :TAG or :@N from: app:amd64, app:arm64"):
        DockerArchiveSource(images.legacy_docker_archive, None, AMD64).resolve()


def test_unknown_tag_is_not_found(images: BuiltImages) -> None:
    with pytest.raises(NotFoundError, match=r"no image tagged 'app:2\.0'; available: app:amd64, app:arm64"):
        DockerArchiveSource(images.legacy_docker_archive, "app:2.0", AMD64).resolve()


def test_docker25_layout_uses_the_embedded_manifest(images: BuiltImages) -> None:
    source = DockerArchiveSource(images.docker25_archive, "app:1.0", AMD64)
    metadata = source.resolve()
    assert metadata.digest == ref_descriptor(images.layout, "amd64")["digest"]
    assert metadata.media_type == mt.OCI_MANIFEST
    assert {layer.media_type for layer in metadata.layers} == {mt.OCI_LAYER_TAR_GZIP}
    assert [layer.diff_id for layer in metadata.layers] == [
        images.base_layer.diff_id,
        images.app_layer.diff_id,
    ]
    assert [layer.created_by for layer in metadata.layers] == ["COPY base.tar /", "COPY app.tar /"]
    assert read_all_layers(source) == [images.base_layer.data, images.app_layer.data]


def saved_manifest(archive: Path) -> list[dict[str, Any]]:
    with tarfile.open(archive) as opened:
        member = opened.extractfile("manifest.json")
        assert member is not None
        value = json.loads(member.read())
    assert isinstance(value, list)
    return value


def _rewrite(source: Path, target: Path, replace: dict[str, bytes]) -> None:
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for info in original:
            if info.isreg():
                member = original.extractfile(info)
                assert member is not None
                add_member(copy, info.name, replace.get(info.name, member.read()))
            else:
                copy.addfile(info)


def test_tampered_legacy_layer_fails_when_read(images: BuiltImages, tmp_path: Path) -> None:
    source = DockerArchiveSource(images.legacy_docker_archive, "app:arm64", AMD64)
    layer = source.resolve().layers[0]
    manifest = saved_manifest(images.legacy_docker_archive)
    name = str(manifest[1]["Layers"][0])
    tampered = tmp_path / "tampered.tar"
    data = bytearray(images.arm_layer.data)
    data[600] ^= 0x20
    _rewrite(images.legacy_docker_archive, tampered, {name: bytes(data)})
    tampered_source = DockerArchiveSource(tampered, "app:arm64", AMD64)
    with tampered_source.open_layer(layer) as stream, pytest.raises(IntegrityError, match="digest mismatch"):
        stream.read()


@pytest.mark.parametrize(
    ("compress", "media_type"),
    [(gzip.compress, mt.OCI_LAYER_TAR_GZIP), (zstandard.compress, mt.OCI_LAYER_TAR_ZSTD)],
)
def test_compressed_legacy_layer_is_typed_and_hashed_by_content(
    images: BuiltImages, tmp_path: Path, compress: Callable[[bytes], bytes], media_type: str
) -> None:
    name = str(saved_manifest(images.legacy_docker_archive)[1]["Layers"][0])
    packed = compress(images.arm_layer.data)
    archive = tmp_path / "compressed.tar"
    _rewrite(images.legacy_docker_archive, archive, {name: packed})
    source = DockerArchiveSource(archive, "app:arm64", AMD64)
    (layer,) = source.resolve().layers
    assert (layer.media_type, layer.digest, layer.size, layer.diff_id) == (
        media_type,
        sha256(packed),
        len(packed),
        images.arm_layer.diff_id,
    )
    with source.open_layer(layer) as stream:
        assert stream.read() == packed


def test_layer_list_that_disagrees_with_the_config_is_bad_input(images: BuiltImages, tmp_path: Path) -> None:
    manifest = saved_manifest(images.legacy_docker_archive)
    manifest[0]["Layers"] = manifest[0]["Layers"][:1]
    archive = tmp_path / "short.tar"
    _rewrite(images.legacy_docker_archive, archive, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BadInputError, match="lists 1 layers but the config has 2 diff_ids"):
        DockerArchiveSource(archive, "app:amd64", AMD64).resolve()


def test_tampered_config_is_caught_by_its_file_name(images: BuiltImages, tmp_path: Path) -> None:
    _, config, _ = image_blobs(images.layout, "amd64")
    name = sha256(config).split(":")[1] + ".json"
    tampered = tmp_path / "tampered.tar"
    _rewrite(images.legacy_docker_archive, tampered, {name: config.replace(b'"app"', b'"root"')})
    with pytest.raises(IntegrityError, match="image config"):
        DockerArchiveSource(tampered, "app:amd64", AMD64).resolve()


@pytest.mark.parametrize(
    ("manifest_json", "message"),
    [
        (b"{oops", "manifest.json is malformed"),
        (b"[]", "non-empty JSON array"),
        (b'[{"Config": "x.json"}]', "needs a Config file name and a Layers array"),
        (b'[{"Config": "x.json", "Layers": "a/layer.tar"}]', "Layers must be an array of strings"),
    ],
)
def test_corrupt_manifest_json(tmp_path: Path, manifest_json: bytes, message: str) -> None:
    archive = tmp_path / "bad.tar"
    with tarfile.open(archive, "w") as target:
        add_member(target, "manifest.json", manifest_json)
    with pytest.raises(BadInputError, match=message):
        DockerArchiveSource(archive, None, AMD64).resolve()


def test_archive_without_manifest_json(images: BuiltImages) -> None:
    with pytest.raises(BadInputError, match=r"not a docker-archive: it has no manifest\.json"):
        DockerArchiveSource(images.oci_archive, None, AMD64).resolve()


def test_missing_layer_member(images: BuiltImages, tmp_path: Path) -> None:
    manifest = saved_manifest(images.legacy_docker_archive)
    missing = str(manifest[0]["Layers"][1])
    stripped = tmp_path / "stripped.tar"
    with tarfile.open(images.legacy_docker_archive) as original, tarfile.open(stripped, "w") as copy:
        for info in original:
            if info.name != missing:
                copy.addfile(info, original.extractfile(info) if info.isreg() else None)
    with pytest.raises(NotFoundError, match="does not exist in the archive"):
        DockerArchiveSource(stripped, "app:amd64", AMD64).resolve()


@pytest.mark.parametrize("link_target", ["../../etc/passwd", "/etc/passwd"])
def test_symlink_escaping_the_archive_is_rejected(tmp_path: Path, link_target: str) -> None:
    archive = tmp_path / "escape.tar"
    with tarfile.open(archive, "w") as target:
        add_member(target, "manifest.json", b'[{"Config": "c.json", "Layers": ["l/layer.tar"]}]')
        link = tarfile.TarInfo("l/layer.tar")
        link.type, link.linkname = tarfile.SYMTYPE, link_target
        target.addfile(link)
    with pytest.raises(IntegrityError, match="escapes the archive"):
        DockerArchiveSource(archive, None, AMD64).resolve()


def test_symlinked_layer_inside_the_archive_is_followed(images: BuiltImages, tmp_path: Path) -> None:
    """Classic `docker save` links a repeated layer to its first copy (`<id2>/layer.tar -> ../<id1>/...`)."""
    _, config, _ = image_blobs(images.layout, "arm64")
    archive = tmp_path / "linked.tar"
    with tarfile.open(archive, "w") as target:
        add_member(target, "first/layer.tar", images.arm_layer.data)
        link = tarfile.TarInfo("second/layer.tar")
        link.type, link.linkname = tarfile.SYMTYPE, "../first/layer.tar"
        target.addfile(link)
        add_member(target, "config.json", config)
        entry = {"Config": "config.json", "RepoTags": None, "Layers": ["second/layer.tar"]}
        add_member(target, "manifest.json", json.dumps([entry]).encode())
    source = DockerArchiveSource(archive, None, AMD64)
    assert source.resolve().tags == ()
    assert read_all_layers(source) == [images.arm_layer.data]
