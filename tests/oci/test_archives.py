"""OCI layouts and oci-archives as image sources, on real images built with umoci and skopeo."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.model.image import ImageMetadata, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.archives import (
    DockerArchiveSource,
    OciArchiveSource,
    OciLayoutSource,
    open_local_source,
    parse_source_spec,
)
from regwarden.oci.manifest import MAX_INDEX_DEPTH
from regwarden.oci.source import ImageSource
from tests.oci.archive_images import BuiltImages, add_blob, blob_path, ref_descriptor

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")


@pytest.fixture
def layout_copy(images: BuiltImages, tmp_path: Path) -> Path:
    """A private copy of the umoci layout that a test may damage."""
    return Path(shutil.copytree(images.layout, tmp_path / "layout"))


def read_layers(source: ImageSource) -> list[bytes]:
    """Every layer, decompressed, read through the source's verifying streams."""
    contents = []
    for layer in source.resolve().layers:
        with source.open_layer(layer) as stream:
            data = stream.read()
        contents.append(gzip.decompress(data) if mt.layer_compression(layer.media_type) == "gzip" else data)
    return contents


def assert_amd64_image(metadata: ImageMetadata, images: BuiltImages) -> None:
    assert [layer.diff_id for layer in metadata.layers] == [
        images.base_layer.diff_id,
        images.app_layer.diff_id,
    ]
    assert [layer.created_by for layer in metadata.layers] == ["COPY base.tar /", "COPY app.tar /"]
    assert metadata.platform == AMD64
    config = metadata.config
    assert (config.user, config.env, config.cmd, config.working_dir) == (
        "app",
        ("APP_ENV=test",),
        ("/srv/app/app.py",),
        "/srv/app",
    )
    assert dict(config.labels) == {"org.opencontainers.image.version": "1.0"}
    assert config.exposed_ports == ("8080/tcp",)


def test_layout_by_ref(images: BuiltImages) -> None:
    source = OciLayoutSource(images.layout, "amd64", ARM64)  # one manifest: the platform does not filter
    metadata = source.resolve()
    assert metadata.digest == ref_descriptor(images.layout, "amd64")["digest"]
    assert metadata.media_type == mt.OCI_MANIFEST
    assert metadata.reference == f"oci:{images.layout}:amd64"
    assert metadata.tags == ("amd64",)
    assert metadata.index_digest is None
    assert_amd64_image(metadata, images)
    assert read_layers(source) == [images.base_layer.data, images.app_layer.data]
    assert source.resolve() is metadata


def test_layout_by_digest(images: BuiltImages) -> None:
    digest = str(ref_descriptor(images.layout, "arm64")["digest"])
    metadata = OciLayoutSource(images.layout, digest, AMD64).resolve()
    assert metadata.digest == digest
    assert [layer.diff_id for layer in metadata.layers] == [images.arm_layer.diff_id]


@pytest.mark.parametrize(
    ("ref", "platform", "layers"), [("multi", AMD64, 2), ("multi", ARM64, 1), ("nested", ARM64, 1)]
)
def test_layout_multi_arch_and_nested_indexes(images: BuiltImages, ref: str, platform: Platform, layers: int) -> None:
    metadata = OciLayoutSource(images.layout, ref, platform).resolve()
    expected_tag = "amd64" if platform == AMD64 else "arm64"
    assert metadata.digest == ref_descriptor(images.layout, expected_tag)["digest"]
    assert metadata.platform == platform
    assert len(metadata.layers) == layers
    # The index the manifest was chosen from is the innermost one (`multi`), even when reached via `nested`.
    assert metadata.index_digest == ref_descriptor(images.layout, "multi")["digest"]


def _wrap_in_indexes(layout: Path, ref: str, levels: int) -> str:
    """Put `ref`'s manifest under `levels` single-entry indexes, named `<ref>-in-<levels>` in index.json."""
    entry = {key: ref_descriptor(layout, ref)[key] for key in ("mediaType", "digest", "size")}
    for _ in range(levels):
        body = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": [entry]}).encode()
        entry = {"mediaType": mt.OCI_INDEX, "digest": add_blob(layout, body), "size": len(body)}
    name = f"{ref}-in-{levels}"
    index = json.loads((layout / "index.json").read_bytes())
    index["manifests"].append({**entry, "annotations": {"org.opencontainers.image.ref.name": name}})
    (layout / "index.json").write_text(json.dumps(index))
    return name


def test_indexes_nested_too_deep_are_bad_input(layout_copy: Path) -> None:
    deepest = _wrap_in_indexes(layout_copy, "arm64", MAX_INDEX_DEPTH - 1)
    assert (
        OciLayoutSource(layout_copy, deepest, ARM64).resolve().digest == ref_descriptor(layout_copy, "arm64")["digest"]
    )
    too_deep = _wrap_in_indexes(layout_copy, "arm64", MAX_INDEX_DEPTH)
    with pytest.raises(BadInputError, match=f"indexes nested deeper than {MAX_INDEX_DEPTH} levels"):
        OciLayoutSource(layout_copy, too_deep, ARM64).resolve()


def test_layout_platform_missing_lists_available(images: BuiltImages) -> None:
    with pytest.raises(NotFoundError, match=r"available: linux/amd64, linux/arm64/v8$"):
        OciLayoutSource(images.layout, "multi", Platform("linux", "s390x")).resolve()


def test_layout_several_images_need_a_ref(images: BuiltImages) -> None:
    with pytest.raises(BadInputError, match="holds 4 images; choose one with :REF from: amd64, arm64, multi, nested"):
        OciLayoutSource(images.layout, None, AMD64).resolve()


def test_layout_unknown_ref(images: BuiltImages) -> None:
    with pytest.raises(NotFoundError, match="no image named 'v9'; available: amd64, arm64, multi, nested"):
        OciLayoutSource(images.layout, "v9", AMD64).resolve()


def test_layout_single_image_needs_no_ref(images: BuiltImages) -> None:
    metadata = OciLayoutSource(images.v2s2_layout, None, AMD64).resolve()
    assert metadata.media_type == mt.DOCKER_MANIFEST_V2
    assert {layer.media_type for layer in metadata.layers} == {mt.DOCKER_LAYER_TAR_GZIP}
    assert_amd64_image(metadata, images)


def test_v2s2_layout_layers_read_back(images: BuiltImages) -> None:
    source = OciLayoutSource(images.v2s2_layout, "v2s2", AMD64)
    assert read_layers(source) == [images.base_layer.data, images.app_layer.data]


def test_tampered_layer_fails_when_read(layout_copy: Path) -> None:
    source = OciLayoutSource(layout_copy, "amd64", AMD64)
    layer = source.resolve().layers[1]
    blob = blob_path(layout_copy, layer.digest)
    tampered = bytearray(blob.read_bytes())
    tampered[-1] ^= 0xFF
    blob.write_bytes(bytes(tampered))
    with (
        source.open_layer(layer) as stream,
        pytest.raises(IntegrityError, match=r"layer 1 .*digest mismatch"),
    ):
        stream.read()


def test_tampered_config_fails_at_resolve(layout_copy: Path) -> None:
    manifest = json.loads(blob_path(layout_copy, str(ref_descriptor(layout_copy, "amd64")["digest"])).read_bytes())
    config = blob_path(layout_copy, manifest["config"]["digest"])
    config.write_bytes(config.read_bytes().replace(b'"app"', b'"root"'))
    with pytest.raises(IntegrityError, match="image config"):
        OciLayoutSource(layout_copy, "amd64", AMD64).resolve()


def test_missing_layer_blob_is_not_found(layout_copy: Path) -> None:
    source = OciLayoutSource(layout_copy, "amd64", AMD64)
    layer = source.resolve().layers[0]
    blob_path(layout_copy, layer.digest).unlink()
    with pytest.raises(NotFoundError, match=layer.digest.split(":")[1]):
        source.open_layer(layer)


def test_missing_manifest_blob_is_not_found(layout_copy: Path) -> None:
    blob_path(layout_copy, str(ref_descriptor(layout_copy, "arm64")["digest"])).unlink()
    with pytest.raises(NotFoundError):
        OciLayoutSource(layout_copy, "arm64", AMD64).resolve()


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"{broken", BadInputError), (b'{"schemaVersion": 2, "manifests": "x"}', BadInputError)],
)
def test_corrupt_index_json_names_the_file(layout_copy: Path, content: bytes, error: type[Exception]) -> None:
    (layout_copy / "index.json").write_bytes(content)
    with pytest.raises(error, match=r"index\.json"):
        OciLayoutSource(layout_copy, "amd64", AMD64).resolve()


@pytest.mark.parametrize("required", ["oci-layout", "index.json"])
def test_directory_that_is_not_a_layout(layout_copy: Path, required: str) -> None:
    (layout_copy / required).unlink()
    with pytest.raises(BadInputError, match=rf"{required} is missing: this is not an OCI image layout"):
        OciLayoutSource(layout_copy, "amd64", AMD64).resolve()


def test_layout_path_that_does_not_exist_or_is_a_file(images: BuiltImages, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        OciLayoutSource(tmp_path / "nope", None, AMD64).resolve()
    with pytest.raises(BadInputError, match="is a file, not a directory; for a tar use oci-archive:"):
        OciLayoutSource(images.oci_archive, None, AMD64).resolve()


def test_corrupt_oci_layout_marker(layout_copy: Path) -> None:
    (layout_copy / "oci-layout").write_bytes(b'["imageLayoutVersion"]')
    with pytest.raises(BadInputError, match="not a valid oci-layout marker"):
        OciLayoutSource(layout_copy, "amd64", AMD64).resolve()


def test_oci_archive_reads_in_place(images: BuiltImages) -> None:
    source = OciArchiveSource(images.oci_archive, None, AMD64)
    metadata = source.resolve()
    assert metadata.digest == ref_descriptor(images.layout, "amd64")["digest"]
    assert metadata.reference == f"oci-archive:{images.oci_archive}"
    assert_amd64_image(metadata, images)
    assert read_layers(source) == [images.base_layer.data, images.app_layer.data]
    source.close()


def _rewrite_archive(source: Path, target: Path, extra: tarfile.TarInfo, tamper: str | None = None) -> None:
    """Copy an oci-archive member by member, flipping the last byte of `tamper` and appending `extra`."""
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for info in original:
            member = original.extractfile(info) if info.isreg() else None
            data = member.read() if member is not None else b""
            if info.name == tamper:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            copy.addfile(info, io.BytesIO(data) if info.isreg() else None)
        copy.addfile(extra, io.BytesIO(b"x" * extra.size) if extra.isreg() else None)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("../escape.txt", tarfile.REGTYPE),
        ("/etc/passwd", tarfile.REGTYPE),
        ("blobs/../../escape", tarfile.REGTYPE),
        ("blobs/sha256/link", tarfile.SYMTYPE),
        ("blobs/sha256/hard", tarfile.LNKTYPE),
    ],
)
def test_oci_archive_rejects_hostile_members(images: BuiltImages, tmp_path: Path, name: str, kind: bytes) -> None:
    extra = tarfile.TarInfo(name)
    extra.type = kind
    extra.size = 1 if kind == tarfile.REGTYPE else 0
    extra.linkname = "index.json" if kind != tarfile.REGTYPE else ""
    hostile = tmp_path / "hostile.tar"
    _rewrite_archive(images.oci_archive, hostile, extra)
    with pytest.raises(IntegrityError, match=r"escapes the archive|is a link"):
        OciArchiveSource(hostile, None, AMD64).resolve()


def test_oci_archive_tampered_layer(images: BuiltImages, tmp_path: Path) -> None:
    metadata = OciArchiveSource(images.oci_archive, None, AMD64).resolve()
    layer = metadata.layers[0]
    tampered = tmp_path / "tampered.tar"
    padding = tarfile.TarInfo("padding")
    padding.size = 1
    _rewrite_archive(images.oci_archive, tampered, padding, tamper="blobs/sha256/" + layer.digest.split(":")[1])
    source = OciArchiveSource(tampered, None, AMD64)
    assert source.resolve() == dataclasses.replace(metadata, reference=f"oci-archive:{tampered}")  # still intact
    with source.open_layer(layer) as stream, pytest.raises(IntegrityError, match="digest mismatch"):
        stream.read()


def test_oci_archive_that_is_not_a_tar(tmp_path: Path) -> None:
    (tmp_path / "junk.tar").write_bytes(b"this is not a tar archive" * 40)
    with pytest.raises(BadInputError, match="not a readable tar"):
        OciArchiveSource(tmp_path / "junk.tar", None, AMD64).resolve()
    (tmp_path / "app.tar.gz").write_bytes(gzip.compress(b"this is not a tar archive" * 40))
    with pytest.raises(BadInputError, match=r"app\.tar\.gz is not a readable tar"):
        OciArchiveSource(tmp_path / "app.tar.gz", None, AMD64).resolve()
    with pytest.raises(NotFoundError, match="does not exist"):
        OciArchiveSource(tmp_path / "missing.tar", None, AMD64).resolve()


def test_oci_archive_missing_blob(images: BuiltImages, tmp_path: Path) -> None:
    config_digest = OciArchiveSource(images.oci_archive, None, AMD64).resolve().config_digest
    stripped = tmp_path / "stripped.tar"
    with tarfile.open(images.oci_archive) as original, tarfile.open(stripped, "w") as copy:
        for info in original:
            if info.name != "blobs/sha256/" + config_digest.split(":")[1]:
                copy.addfile(info, original.extractfile(info) if info.isreg() else None)
    with pytest.raises(NotFoundError, match="does not exist in the archive"):
        OciArchiveSource(stripped, None, AMD64).resolve()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("oci:layout", ("oci", "layout", None)),
        ("oci:layout:v1.0", ("oci", "layout", "v1.0")),
        ("oci:/data/app:sha256:" + "a" * 64, ("oci", "/data/app", "sha256:" + "a" * 64)),
        ("oci-archive:app.tar", ("oci-archive", "app.tar", None)),
        ("oci-archive:/tmp/x/app.tar:latest", ("oci-archive", "/tmp/x/app.tar", "latest")),
        ("docker-archive:app.tar", ("docker-archive", "app.tar", None)),
        ("docker-archive:app.tar:app:1.0", ("docker-archive", "app.tar", "app:1.0")),
        (
            "docker-archive:/x/app.tar:localhost:5000/team/app:1.0",
            ("docker-archive", "/x/app.tar", "localhost:5000/team/app:1.0"),
        ),
        ("docker-archive:app.tar:@1", ("docker-archive", "app.tar", "@1")),
        ("oci:dir:with spaces", ("oci", "dir:with spaces", None)),  # not a ref, so part of the path
    ],
)
def test_parse_source_spec(spec: str, expected: tuple[str, str, str | None]) -> None:
    assert parse_source_spec(spec) == expected


def test_parse_source_spec_prefers_an_existing_path_with_colons(tmp_path: Path) -> None:
    weird = tmp_path / "lay:out"
    weird.mkdir()
    assert parse_source_spec(f"oci:{weird}") == ("oci", str(weird), None)
    assert parse_source_spec(f"oci:{weird}:v1") == ("oci", str(weird), "v1")


@pytest.mark.parametrize("spec", ["docker://alpine", "oci", "oci:", "registry.example.com/app:1.0", "dir:/tmp/x"])
def test_parse_source_spec_rejects(spec: str) -> None:
    with pytest.raises(BadInputError):
        parse_source_spec(spec)


def test_open_local_source_picks_the_class(images: BuiltImages) -> None:
    assert isinstance(open_local_source(f"oci:{images.layout}:amd64", AMD64), OciLayoutSource)
    assert isinstance(open_local_source(f"oci-archive:{images.oci_archive}", AMD64), OciArchiveSource)
    source = open_local_source(f"docker-archive:{images.docker_archive}", AMD64)
    assert isinstance(source, DockerArchiveSource)
    assert source.resolve().tags == ("example.com/app:1.0",)
