"""Pushing blobs and manifests (oci/upload.py) to the real registry: monolithic and chunked uploads, cross-repository
mounts, manifests by tag and digest, and what the registry refuses; behind basic and token auth too."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator

import pytest

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.image import Descriptor
from regwarden.oci.auth import RegistryAuth
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import RegistryClient
from regwarden.oci.credentials import Credentials
from regwarden.oci.retry import RetryPolicy
from regwarden.oci.upload import blob_exists, mount_blob, put_manifest, start_upload, upload_blob
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry

FAST = RetryPolicy(max_attempts=2, base_delay=0.01)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCTETS = "application/octet-stream"


def blob(size: int) -> tuple[Descriptor, bytes]:
    """Random bytes (so no two tests share a blob) and their descriptor."""
    data = secrets.token_bytes(size)
    return Descriptor(OCTETS, compute_digest(data), size), data


@pytest.fixture
def client(registry: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(registry.host, insecure=True, retry=FAST) as registry_client:
        yield registry_client


def read_back(client: RegistryClient, repo: str, descriptor: Descriptor) -> bytes:
    return client.get_blob(repo, descriptor)


def test_small_blob_goes_in_one_put(client: RegistryClient) -> None:
    descriptor, data = blob(3000)
    assert not blob_exists(client, "upload/mono", descriptor.digest)
    assert upload_blob(client, "upload/mono", descriptor, io.BytesIO(data)) == "monolithic"
    assert blob_exists(client, "upload/mono", descriptor.digest)
    assert read_back(client, "upload/mono", descriptor) == data


def test_large_blob_goes_in_chunks_and_arrives_whole(client: RegistryClient) -> None:
    descriptor, data = blob(2500)
    assert upload_blob(client, "upload/chunked", descriptor, io.BytesIO(data), chunk_size=1000) == "chunked"
    assert read_back(client, "upload/chunked", descriptor) == data


def test_bytes_that_do_not_hash_to_the_digest_are_refused_and_not_stored(client: RegistryClient) -> None:
    descriptor, _ = blob(100)
    for chunk_size in (1000, 30):  # the registry checks the monolithic PUT and the closing PUT of chunks
        with pytest.raises(IntegrityError, match="do not hash to"):
            upload_blob(client, "upload/bad", descriptor, io.BytesIO(secrets.token_bytes(100)), chunk_size=chunk_size)
    assert not blob_exists(client, "upload/bad", descriptor.digest)


def test_a_source_shorter_or_longer_than_its_size_is_an_integrity_error(client: RegistryClient) -> None:
    descriptor, data = blob(100)
    with pytest.raises(IntegrityError, match="ended 40 bytes before"):
        upload_blob(client, "upload/short", descriptor, io.BytesIO(data[:60]))
    with pytest.raises(IntegrityError, match="more than the 100 bytes"):
        upload_blob(client, "upload/long", descriptor, io.BytesIO(data + b"x"), chunk_size=50)
    assert not blob_exists(client, "upload/long", descriptor.digest)


def test_mount_links_a_blob_from_another_repository_without_sending_it(client: RegistryClient) -> None:
    descriptor, data = blob(500)
    upload_blob(client, "upload/source", descriptor, io.BytesIO(data))
    assert mount_blob(client, "upload/target", descriptor.digest, "upload/source").mounted
    assert read_back(client, "upload/target", descriptor) == data


def test_a_declined_mount_opens_a_session_the_upload_goes_on_with(client: RegistryClient) -> None:
    descriptor, data = blob(500)  # never pushed to upload/empty: the registry cannot mount it
    result = mount_blob(client, "upload/declined", descriptor.digest, "upload/empty")
    assert not result.mounted and result.upload_location is not None
    upload_blob(client, "upload/declined", descriptor, io.BytesIO(data), location=result.upload_location)
    assert read_back(client, "upload/declined", descriptor) == data


def push_image(client: RegistryClient, repo: str) -> tuple[bytes, list[Descriptor]]:
    """A config and a layer uploaded, and the manifest naming them (not yet pushed)."""
    config_data = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}}).encode()
    config = Descriptor(OCI_CONFIG, compute_digest(config_data), len(config_data))
    layer, layer_data = blob(700)
    upload_blob(client, repo, config, io.BytesIO(config_data))
    upload_blob(client, repo, layer, io.BytesIO(layer_data))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer.digest, "size": 700}],
    }
    return json.dumps(manifest, indent=3).encode(), [config, layer]


def test_manifest_by_tag_and_by_digest_keeps_its_exact_bytes(client: RegistryClient) -> None:
    data, _ = push_image(client, "upload/app")
    digest = put_manifest(client, "upload/app", "1.0", data, OCI_MANIFEST)
    assert digest == compute_digest(data)
    fetched = client.get_manifest("upload/app", "1.0")
    assert (fetched.data, fetched.digest, fetched.media_type) == (data, digest, OCI_MANIFEST)
    assert put_manifest(client, "upload/app", digest, data, OCI_MANIFEST) == digest


def test_a_manifest_pushed_under_another_digest_is_refused_before_sending(client: RegistryClient) -> None:
    data, _ = push_image(client, "upload/app")
    with pytest.raises(IntegrityError, match="not to the digest they are pushed under"):
        put_manifest(client, "upload/app", "sha256:" + "1" * 64, data, OCI_MANIFEST)


def test_a_manifest_whose_blobs_are_missing_is_refused_by_the_registry(client: RegistryClient) -> None:
    data, _ = push_image(client, "upload/app")
    with pytest.raises(BadInputError, match="MANIFEST_BLOB_UNKNOWN"):
        put_manifest(client, "upload/other", "1.0", data, OCI_MANIFEST)


def test_basic_auth_registry_gets_the_body_again_after_its_challenge(basic_auth_registry: RunningRegistry) -> None:
    credentials = Credentials(basic_auth_registry.username, basic_auth_registry.password)
    auth = RegistryAuth(credentials)
    with RegistryClient(basic_auth_registry.host, auth=auth, insecure=True, retry=FAST) as client:
        data, _ = push_image(client, "upload/basic")
        assert put_manifest(client, "upload/basic", "v1", data, OCI_MANIFEST) == compute_digest(data)
        assert client.get_manifest("upload/basic", "v1").data == data


def test_token_auth_registry_pushes_and_mounts(token_auth_registry: RunningRegistry) -> None:
    credentials = Credentials(token_auth_registry.username, token_auth_registry.password)
    with RegistryClient(token_auth_registry.host, auth=RegistryAuth(credentials), insecure=True, retry=FAST) as client:
        descriptor, data = blob(300)
        assert upload_blob(client, "upload/tok", descriptor, io.BytesIO(data), chunk_size=100) == "chunked"
        assert mount_blob(client, "upload/tok2", descriptor.digest, "upload/tok").mounted
        assert read_back(client, "upload/tok2", descriptor) == data
    # The mount's challenge named two scopes; the token server got each as its own `scope` parameter. The
    # registry lists a scope's actions in no fixed order (pull,push or push,pull), so they are compared as sets.
    assert token_auth_registry.token_server is not None
    wanted = {("upload/tok2", frozenset({"pull", "push"})), ("upload/tok", frozenset({"pull"}))}
    assert wanted in [_scopes(issued) for issued in token_auth_registry.token_server.issued]


def _scopes(issued: str) -> set[tuple[str, frozenset[str]]]:
    """`repository:a:pull,push repository:b:pull` as {(a, {pull, push}), (b, {pull})}."""
    parts = [scope.split(":") for scope in issued.split()]
    return {(repository, frozenset(actions.split(","))) for _, repository, actions in parts}


def test_an_upload_location_on_another_host_is_refused() -> None:
    def answer(request: Request) -> Reply:
        return Reply(202, headers={"Location": "http://198.51.100.7/v2/app/blobs/uploads/1"})

    with (
        LocalServer(answer) as server,
        RegistryClient(server.host, insecure=True, retry=FAST) as client,
        pytest.raises(BadInputError, match="another host"),
    ):
        start_upload(client, "app")
