"""Manifests, indexes, platform selection and image configs (regwarden.oci.manifest) on readable fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.image import Descriptor, HistoryEntry, ImageConfig, Layer, Platform
from regwarden.oci import mediatypes as mt
from regwarden.oci.image_config import build_metadata, parse_config
from regwarden.oci.manifest import Index, Manifest, UnsupportedMediaTypeError, parse_manifest_document, select_platform

TESTDATA = Path(__file__).parent / "testdata"
A, B, C, D, E, F = (f"sha256:{letter * 64}" for letter in "abcdef")


def fixture(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_oci_manifest_parsed_exactly() -> None:
    manifest = parse_manifest_document(fixture("oci_manifest.json"), mt.OCI_MANIFEST)
    assert manifest == Manifest(
        media_type=mt.OCI_MANIFEST,
        config=Descriptor(mt.OCI_CONFIG, A, 1469),
        layers=(
            Descriptor(mt.OCI_LAYER_TAR_GZIP, B, 3401613),
            Descriptor(mt.OCI_LAYER_TAR_ZSTD, C, 1024, {"org.opencontainers.image.title": "app.tar.zst"}),
        ),
        annotations={"org.opencontainers.image.source": "https://example.com/app.git"},
        subject=Descriptor(mt.OCI_MANIFEST, D, 512),
        artifact_type=None,
    )


def test_docker_v2_manifest_from_body_media_type() -> None:
    manifest = parse_manifest_document(fixture("docker_manifest_v2.json"), None)
    assert isinstance(manifest, Manifest)
    assert manifest.media_type == mt.DOCKER_MANIFEST_V2
    assert manifest.config == Descriptor(mt.DOCKER_CONFIG, A, 7023)
    assert [(layer.media_type, layer.digest) for layer in manifest.layers] == [
        (mt.DOCKER_LAYER_TAR_GZIP, B),
        (mt.DOCKER_FOREIGN_LAYER_TAR_GZIP, C),
    ]


def test_media_type_inferred_when_body_and_header_say_nothing() -> None:
    manifest = parse_manifest_document(fixture("oci_manifest_no_media_type.json"), "application/json")
    assert isinstance(manifest, Manifest)
    assert manifest.media_type == mt.OCI_MANIFEST
    index = parse_manifest_document(b'{"schemaVersion": 2, "manifests": []}', None)
    assert index == Index(mt.OCI_INDEX, (), {})


def test_declared_header_with_parameters_is_accepted() -> None:
    declared = mt.DOCKER_MANIFEST_V2 + "; charset=utf-8"
    assert parse_manifest_document(fixture("docker_manifest_v2.json"), declared).media_type == mt.DOCKER_MANIFEST_V2


def test_header_contradicting_body_is_rejected() -> None:
    with pytest.raises(BadInputError, match=r"declared as .*oci\.image\.manifest.* but its mediaType says .*docker"):
        parse_manifest_document(fixture("docker_manifest_v2.json"), mt.OCI_MANIFEST)


def test_oci_index_parsed_with_platforms() -> None:
    index = parse_manifest_document(fixture("oci_index.json"), mt.OCI_INDEX)
    assert isinstance(index, Index)
    assert index.annotations == {"org.opencontainers.image.created": "2024-05-01T00:00:00Z"}
    assert [(d.digest, str(d.platform)) for d in index.manifests] == [
        (A, "linux/amd64"),
        (B, "linux/arm64/v8"),
        (C, "linux/arm/v7"),
        (D, "linux/arm/v6"),
        (E, "unknown/unknown"),
        (F, "windows/amd64"),
    ]


def test_docker_manifest_list() -> None:
    index = parse_manifest_document(fixture("docker_manifest_list.json"), mt.DOCKER_MANIFEST_LIST)
    assert isinstance(index, Index)
    assert index.media_type == mt.DOCKER_MANIFEST_LIST
    assert {str(d.platform) for d in index.manifests} == {"linux/arm64", "linux/amd64/v3"}


@pytest.mark.parametrize("declared", [None, mt.DOCKER_MANIFEST_V1_SIGNED, "application/json"])
def test_schema1_is_unsupported_with_advice(declared: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError, match=r"schema 1 is deprecated.*skopeo copy --format v2s2"):
        parse_manifest_document(fixture("docker_manifest_schema1.json"), declared)


def test_artifact_manifest_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match=r"oci\.artifact\.manifest"):
        parse_manifest_document(fixture("oci_artifact_manifest.json"), None)


def test_unknown_declared_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaTypeError, match=r"application/vnd\.example\.thing"):
        parse_manifest_document(fixture("oci_manifest_no_media_type.json"), "application/vnd.example.thing")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"schemaVersion": 3, "manifests": []}', "schemaVersion must be 2"),
        (b'{"schemaVersion": 2}', "neither a manifest"),
        (b'{"schemaVersion": 2, "mediaType": 7, "manifests": []}', "mediaType must be a string"),
        (b'{"schemaVersion": 2, "layers": []}', "no config descriptor"),
        (b'{"schemaVersion": 2, "mediaType": "' + mt.OCI_INDEX.encode() + b'"}', "no manifests array"),
        (
            b'{"schemaVersion": 2, "config": {"mediaType": "x", "digest": "sha256:abc", "size": -1}}',
            "size must be a non-negative integer",
        ),
        (
            b'{"schemaVersion": 2, "config": {"mediaType": "x", "digest": "../../etc/passwd", "size": 1}}',
            "digest is malformed",
        ),
        (
            b'{"schemaVersion": 2, "config": {"mediaType": "x", "digest": "sha256:ab", "size": true}}',
            "size must be a non-negative integer",
        ),
        (b'{"schemaVersion": 2, "manifests": [{"digest": "sha256:ab", "size": 1}]}', "mediaType must be"),
        (b'{"schemaVersion": 2, "manifests": {}}', "no manifests array"),
    ],
)
def test_malformed_documents_are_bad_input(document: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_manifest_document(document, None)


def _index() -> Index:
    index = parse_manifest_document(fixture("oci_index.json"), mt.OCI_INDEX)
    assert isinstance(index, Index)
    return index


@pytest.mark.parametrize(
    ("wanted", "digest"),
    [
        ("linux/amd64", A),
        ("linux/x86_64", A),
        ("linux/arm64", B),  # arm64 means arm64/v8
        ("linux/arm64/v8", B),
        ("linux/aarch64", B),
        ("linux/arm", C),  # arm means arm/v7
        ("linux/arm/7", C),
        ("linux/armhf", C),
        ("linux/arm/v6", D),
        ("linux/armel", D),
        ("windows/amd64", F),
    ],
)
def test_select_platform(wanted: str, digest: str) -> None:
    assert select_platform(_index(), Platform.parse(wanted)).digest == digest


def test_select_platform_without_variant_falls_back_to_same_arch() -> None:
    index = parse_manifest_document(fixture("docker_manifest_list.json"), None)
    assert isinstance(index, Index)
    assert select_platform(index, Platform("linux", "amd64")).digest == "sha256:" + "2" * 64
    assert select_platform(index, Platform("linux", "arm64", "v8")).digest == "sha256:" + "1" * 64
    with pytest.raises(NotFoundError):
        select_platform(index, Platform("linux", "amd64", "v2"))


def test_select_platform_never_returns_attestations() -> None:
    with pytest.raises(NotFoundError) as caught:
        select_platform(_index(), Platform("unknown", "unknown"))
    assert "unknown" not in str(caught.value).split("available:")[1]


def test_select_platform_lists_what_is_available() -> None:
    with pytest.raises(NotFoundError) as caught:
        select_platform(_index(), Platform("linux", "s390x"))
    assert str(caught.value) == (
        "no image for platform linux/s390x in the index; available: "
        "linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6, windows/amd64"
    )


DOCKER_CONFIG = ImageConfig(
    os="linux",
    architecture="amd64",
    variant=None,
    created="2024-03-01T10:00:00.123456789Z",
    user="app:app",
    env=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_ENV=production"),
    entrypoint=("/usr/bin/tini", "--"),
    cmd=("python", "-m", "app"),
    working_dir="/srv/app",
    labels={"org.opencontainers.image.version": "1.4.2", "maintainer": "ops@example.com"},
    exposed_ports=("8080/tcp", "9090/tcp"),
    diff_ids=(A, B, C),
    history=(
        HistoryEntry("2024-02-01T00:00:00Z", "/bin/sh -c #(nop) ADD file:1234 in / "),
        HistoryEntry("2024-02-01T00:00:01Z", '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer=True),
        HistoryEntry(
            "2024-03-01T09:59:00Z",
            "RUN /bin/sh -c pip install app==1.4.2 # buildkit",
            "buildkit.dockerfile.v0",
        ),
        HistoryEntry("2024-03-01T09:59:30Z", "USER app:app", "buildkit.dockerfile.v0", empty_layer=True),
    ),
)


def test_parse_docker_config_exactly() -> None:
    assert parse_config(fixture("docker_config.json")) == DOCKER_CONFIG


def test_parse_minimal_oci_config_keeps_null_and_empty_apart() -> None:
    config = parse_config(fixture("oci_config_minimal.json"))
    assert config == ImageConfig(os="linux", architecture="arm64", variant="v8", entrypoint=None, cmd=(), diff_ids=(A,))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"nope", "not valid JSON"),
        (b'{"config": {"Env": "A=1"}}', "Env must be an array of strings"),
        (b'{"config": {"Labels": {"a": 1}}}', "Labels must map strings to strings"),
        (b'{"config": []}', "must be a JSON object"),
        (b'{"history": [{"empty_layer": "yes"}]}', "empty_layer must be a boolean"),
        (b'{"rootfs": {"diff_ids": [1]}}', "diff_ids must be an array of strings"),
    ],
)
def test_malformed_config_is_bad_input(document: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_config(document)


def _three_layer_manifest() -> Manifest:
    layers = tuple(Descriptor(mt.DOCKER_LAYER_TAR_GZIP, f"sha256:{n * 64}", 100 + i) for i, n in enumerate("123"))
    return Manifest(mt.DOCKER_MANIFEST_V2, Descriptor(mt.DOCKER_CONFIG, D, 7023), layers)


def test_build_metadata_joins_diff_ids_and_created_by() -> None:
    metadata = build_metadata(
        reference="registry.example.com/app:1.4.2",
        manifest_digest=E,
        manifest=_three_layer_manifest(),
        config_digest=D,
        config=DOCKER_CONFIG,
        index_digest=F,
    )
    assert metadata.layers == (
        Layer(0, "sha256:" + "1" * 64, 100, mt.DOCKER_LAYER_TAR_GZIP, A, "/bin/sh -c #(nop) ADD file:1234 in / "),
        Layer(
            1,
            "sha256:" + "2" * 64,
            101,
            mt.DOCKER_LAYER_TAR_GZIP,
            B,
            "RUN /bin/sh -c pip install app==1.4.2 # buildkit",
        ),
        # The config has only two non-empty history entries for three layers: the third stays unknown.
        Layer(2, "sha256:" + "3" * 64, 102, mt.DOCKER_LAYER_TAR_GZIP, C, None),
    )
    assert (metadata.digest, metadata.index_digest, metadata.config_digest) == (E, F, D)
    assert metadata.platform == Platform("linux", "amd64")
    assert metadata.media_type == mt.DOCKER_MANIFEST_V2


def test_build_metadata_rejects_layer_count_mismatch() -> None:
    config = parse_config(json.dumps({"rootfs": {"diff_ids": [A]}}).encode())
    with pytest.raises(BadInputError, match="1 diff_ids but the manifest has 3 layers"):
        build_metadata(
            reference="app",
            manifest_digest=E,
            manifest=_three_layer_manifest(),
            config_digest=D,
            config=config,
        )
