"""RegistrySource: tag → manifest (through an index), concurrent verified layer downloads, cleanup."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.model.image import Layer, Platform
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.manifest import MAX_INDEX_DEPTH
from regwarden.oci.registry_source import RegistrySource
from regwarden.oci.retry import RetryPolicy
from regwarden.oci.source import ImageSource
from tests.support.registry import (
    LocalServer,
    Reply,
    Request,
    RunningRegistry,
    build_layout_image,
    proxy_to,
    push,
)

AMD64 = Platform("linux", "amd64")
ARM64 = Platform("linux", "arm64")
FAST = RetryPolicy(max_attempts=2, base_delay=0.01)
LAYERS = (
    {"etc/os-release": b"ID=test\n"},
    {"usr/bin/tool": b"#!/bin/sh\necho tool\n"},
    {"app/data.txt": b"x" * 200_000},
)
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


@pytest.fixture(scope="module")
def images(registry: RunningRegistry, tmp_path_factory: pytest.TempPathFactory) -> RunningRegistry:
    """`source/app:v1` (3 layers, OCI), `source/app:v2s2` (Docker), `source/multi:latest` (an index)."""
    directory = tmp_path_factory.mktemp("source-images")
    src = build_layout_image(directory, LAYERS[0], "v1", more_layers=LAYERS[1:])
    push(src, f"{registry.host}/source/app:v1", fmt="oci")
    push(src, f"{registry.host}/source/app:v2s2", fmt="v2s2")
    push(build_layout_image(directory, {"arch": b"amd64\n"}, "amd64"), f"{registry.host}/source/multi:amd64")
    arm = build_layout_image(directory, {"arch": b"arm64\n"}, "arm64", architecture="arm64")
    push(arm, f"{registry.host}/source/multi:arm64")
    _put_index(registry, "source/multi", {"amd64": AMD64, "arm64": ARM64})
    return registry


def _put_index(registry: RunningRegistry, repo: str, platforms: dict[str, Platform]) -> None:
    entries = []
    for tag, platform in platforms.items():
        head = httpx.head(
            f"{registry.url}/v2/{repo}/manifests/{tag}",
            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
        )
        entries.append(
            {
                "mediaType": head.headers["Content-Type"],
                "digest": head.headers["Docker-Content-Digest"],
                "size": int(head.headers["Content-Length"]),
                "platform": {"os": platform.os, "architecture": platform.architecture},
            }
        )
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}).encode()
    put = httpx.put(f"{registry.url}/v2/{repo}/manifests/latest", content=index, headers={"Content-Type": OCI_INDEX})
    assert put.status_code == 201, put.text


@pytest.fixture
def client(images: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(images.host, insecure=True, retry=FAST) as registry_client:
        yield registry_client


def _layer_files(stream: BinaryIO) -> dict[str, bytes]:
    """The regular files of a gzip layer, by name."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(stream.read()))) as archive:
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            if extracted is not None:
                files[member.name] = extracted.read()
    return files


@pytest.mark.parametrize("tag", ["v1", "v2s2"])
def test_resolves_and_reads_every_layer(client: RegistryClient, tag: str, tmp_path: Path) -> None:
    source: ImageSource = RegistrySource(client, f"{client.registry}/source/app:{tag}", AMD64, temp_root=tmp_path)
    try:
        metadata = source.resolve()
        manifest = client.get_manifest("source/app", tag)
        assert metadata.digest == manifest.digest
        assert metadata.media_type == manifest.media_type
        assert metadata.index_digest is None
        assert metadata.tags == (tag,)
        assert metadata.repo_digests == (f"{client.registry}/source/app@{manifest.digest}",)
        assert metadata.config.architecture == "amd64"
        assert [layer.index for layer in metadata.layers] == [0, 1, 2]
        contents = []
        for layer in metadata.layers:
            with source.open_layer(layer) as stream:
                contents.append(_layer_files(stream))
        assert contents == list(LAYERS)
        assert source.resolve() is metadata
    finally:
        source.close()
    assert list(tmp_path.iterdir()) == []


def test_selects_the_platform_from_an_index(client: RegistryClient) -> None:
    index = client.get_manifest("source/multi", "latest")
    arm = client.get_manifest("source/multi", "arm64")
    with RegistrySource(client, f"{client.registry}/source/multi:latest", ARM64) as source:
        metadata = source.resolve()
        assert (metadata.digest, metadata.index_digest) == (arm.digest, index.digest)
        assert metadata.config.architecture == "arm64"
        assert metadata.repo_digests == (f"{client.registry}/source/multi@{index.digest}",)
        with source.open_layer(metadata.layers[0]) as stream:
            assert _layer_files(stream) == {"arch": b"arm64\n"}


def test_by_digest(client: RegistryClient) -> None:
    digest = client.get_manifest("source/app", "v1").digest
    with RegistrySource(client, f"{client.registry}/source/app@{digest}", AMD64) as source:
        metadata = source.resolve()
        assert (metadata.digest, metadata.tags) == (digest, ())


def test_prefetch_downloads_concurrently_with_progress(client: RegistryClient, tmp_path: Path) -> None:
    progress: dict[str, int] = {}
    threads: set[str] = set()

    def on_progress(layer: Layer, done: int) -> None:
        progress[layer.digest] = done
        threads.add(threading.current_thread().name)

    source = RegistrySource(
        client,
        f"{client.registry}/source/app:v1",
        AMD64,
        workers=3,
        on_progress=on_progress,
        temp_root=tmp_path,
    )
    with source:
        layers = source.resolve().layers
        source.prefetch()
        source.prefetch()  # second call is a no-op
        assert progress == {layer.digest: layer.size for layer in layers}
        assert all(name.startswith("regwarden-layer") for name in threads)
        [layer_dir] = list(tmp_path.iterdir())
        assert sorted(p.name for p in layer_dir.iterdir()) == sorted(layer.digest.replace(":", "-") for layer in layers)
    assert list(tmp_path.iterdir()) == []


def test_tampered_layer_fails_and_leaves_nothing(images: RunningRegistry, tmp_path: Path) -> None:
    def tamper(request: Request) -> Reply:
        reply = proxy_to(images, request)
        if "/blobs/" in request.path and reply.body.startswith(b"\x1f\x8b"):  # gzip: a layer, not the config
            return Reply(reply.status, reply.body[:-1] + bytes([reply.body[-1] ^ 1]), reply.headers)
        return reply

    with LocalServer(tamper) as server, RegistryClient(server.host, insecure=True, retry=FAST) as evil:
        source = RegistrySource(evil, f"{server.host}/source/app:v1", AMD64, temp_root=tmp_path)
        layer = source.resolve().layers[2]
        with source, pytest.raises(IntegrityError, match="digest mismatch"), source.open_layer(layer) as stream:
            stream.read()  # streamed: fails when read to the end
        with source, pytest.raises(IntegrityError, match="digest mismatch"):
            source.prefetch()  # downloaded ahead: fails before anything is handed out
    assert list(tmp_path.iterdir()) == []


def test_layer_altered_on_disk_is_caught_when_read(client: RegistryClient, tmp_path: Path) -> None:
    with RegistrySource(client, f"{client.registry}/source/app:v1", AMD64, temp_root=tmp_path) as source:
        layer = source.resolve().layers[0]
        source.prefetch()
        [layer_dir] = list(tmp_path.iterdir())
        path = layer_dir / layer.digest.replace(":", "-")
        path.write_bytes(b"\0" * layer.size)
        with source.open_layer(layer) as stream, pytest.raises(IntegrityError):
            stream.read()


def test_errors(client: RegistryClient) -> None:
    with pytest.raises(ManifestNotFoundError):
        RegistrySource(client, f"{client.registry}/source/app:nope", AMD64).resolve()
    with pytest.raises(NotFoundError, match="linux/s390x"):
        RegistrySource(client, f"{client.registry}/source/multi:latest", Platform("linux", "s390x")).resolve()
    with pytest.raises(BadInputError, match="not in registry"):
        RegistrySource(client, "other.example.com/source/app:v1", AMD64)
    with RegistrySource(client, f"{client.registry}/source/app:v1", AMD64) as source:
        stranger = Layer(0, "sha256:" + "5" * 64, 1, "application/vnd.oci.image.layer.v1.tar+gzip")
        with pytest.raises(NotFoundError, match="not part of"):
            source.open_layer(stranger)


def test_indexes_nested_too_deep_are_bad_input() -> None:
    """A registry that answers every index with another index (a loop in disguise) is refused, not followed."""
    documents: dict[str, bytes] = {}
    child = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "6" * 64, "size": 2}
    for _ in range(MAX_INDEX_DEPTH + 1):
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [child]}).encode()
        digest = compute_digest(body)
        documents[digest] = body
        platform = {"os": "linux", "architecture": "amd64"}
        child = {"mediaType": OCI_INDEX, "digest": digest, "size": len(body), "platform": platform}
    documents["v1"] = documents[str(child["digest"])]

    def answer(request: Request) -> Reply:
        body = documents.get(request.path.rpartition("/")[2])
        return Reply(200, body, {"Content-Type": OCI_INDEX}) if body else Reply(404)

    with LocalServer(answer) as server, RegistryClient(server.host, insecure=True, retry=FAST) as client:
        source = RegistrySource(client, f"{server.host}/app:v1", AMD64)
        with pytest.raises(BadInputError, match=f"indexes nested deeper than {MAX_INDEX_DEPTH} levels"):
            source.resolve()
        assert len(server.requests) == 1 + MAX_INDEX_DEPTH  # the tag, then one child per level followed
