"""The registry client against a real registry, and against local servers that misbehave on purpose."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.image import Descriptor
from regwarden.oci.auth import RegistryAuth
from regwarden.oci.blobs import DigestMismatchError, compute_digest
from regwarden.oci.client import (
    BlobNotFoundError,
    ForbiddenError,
    ManifestNotFoundError,
    Referrer,
    RegistryClient,
    RegistryUnreachableError,
)
from regwarden.oci.credentials import Credentials
from regwarden.oci.retry import RetryPolicy, parse_retry_after
from tests.support.registry import (
    LocalServer,
    Reply,
    Request,
    RunningRegistry,
    build_layout_image,
    json_reply,
    proxy_to,
    push,
)

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=2.0, total_timeout=10.0)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SBOM_TYPE = "application/vnd.example.sbom.v1+json"
SIG_TYPE = "application/vnd.example.signature.v1"


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("client-image")


@pytest.fixture(scope="module")
def pushed(registry: RunningRegistry, image_dir: Path) -> RunningRegistry:
    src = build_layout_image(image_dir, {"etc/hello": b"hello from the client tests\n"}, "v1")
    push(src, f"{registry.host}/client/app:v1")
    return registry


@pytest.fixture
def client(pushed: RunningRegistry) -> Iterator[RegistryClient]:
    with RegistryClient(pushed.host, insecure=True, retry=FAST) as registry_client:
        yield registry_client


def _layer(client: RegistryClient) -> Descriptor:
    manifest = json.loads(client.get_manifest("client/app", "v1").data)
    layer = manifest["layers"][0]
    return Descriptor(layer["mediaType"], layer["digest"], layer["size"])


# -- manifests and blobs on the real registry --------------------------------------------------------------


def test_manifest_by_tag_and_by_digest(client: RegistryClient) -> None:
    by_tag = client.get_manifest("client/app", "v1")
    assert by_tag.media_type == OCI_MANIFEST
    assert by_tag.digest == compute_digest(by_tag.data)
    assert client.get_manifest("client/app", by_tag.digest) == by_tag
    head = client.head_manifest("client/app", "v1")
    assert (head.digest, head.media_type, head.size) == (by_tag.digest, OCI_MANIFEST, len(by_tag.data))


def test_missing_manifest_carries_the_registry_error(client: RegistryClient) -> None:
    with pytest.raises(ManifestNotFoundError, match="MANIFEST_UNKNOWN"):
        client.get_manifest("client/app", "no-such-tag")
    with pytest.raises(ManifestNotFoundError):
        client.head_manifest("client/app", "no-such-tag")


def test_blob_to_file_and_open_blob(client: RegistryClient, tmp_path: Path) -> None:
    layer = _layer(client)
    progress: list[int] = []
    client.get_blob_to_file("client/app", layer, tmp_path / "layer", progress.append)
    data = (tmp_path / "layer").read_bytes()
    assert compute_digest(data) == layer.digest and len(data) == layer.size
    assert progress[-1] == layer.size
    with client.open_blob("client/app", layer) as stream:
        assert stream.read() == data


def test_missing_blob(client: RegistryClient, tmp_path: Path) -> None:
    absent = Descriptor("application/octet-stream", "sha256:" + "0" * 64, 3)
    with pytest.raises(BlobNotFoundError, match="BLOB_UNKNOWN"):
        client.get_blob_to_file("client/app", absent, tmp_path / "absent")
    assert not (tmp_path / "absent").exists()


def test_delete_manifest_by_digest(pushed: RunningRegistry, image_dir: Path, client: RegistryClient) -> None:
    push(f"oci:{image_dir / 'layout'}:v1", f"{pushed.host}/client/doomed:1")
    digest = client.get_manifest("client/doomed", "1").digest
    client.delete_manifest("client/doomed", digest)
    with pytest.raises(ManifestNotFoundError):
        client.get_manifest("client/doomed", digest)
    assert client.list_tags("client/doomed") == []
    with pytest.raises(ManifestNotFoundError):
        client.delete_manifest("client/doomed", digest)


# -- pagination --------------------------------------------------------------------------------------------


def test_catalog_follows_link_pagination(pushed: RunningRegistry, image_dir: Path) -> None:
    src = f"oci:{image_dir / 'layout'}:v1"
    for i in range(7):
        push(src, f"{pushed.host}/paged/repo{i}:v1")
    with LocalServer(lambda request: proxy_to(pushed, request)) as proxy:
        with RegistryClient(proxy.host, insecure=True, retry=FAST) as via_proxy:
            repositories = via_proxy.catalog(page_size=2)
        assert {r for r in repositories if r.startswith("paged/")} == {f"paged/repo{i}" for i in range(7)}
        assert len(repositories) == len(set(repositories))
        assert len(proxy.requests) >= (len(repositories) + 1) // 2
        assert all("n=2" in request.path for request in proxy.requests)
    with RegistryClient(pushed.host, insecure=True) as direct:
        assert sorted(direct.catalog()) == sorted(repositories)


def test_tags_follow_link_pagination() -> None:
    tags = [f"t{i}" for i in range(7)]

    def answer(request: Request) -> Reply:
        last = request.path.split("last=")[1] if "last=" in request.path else None
        start = tags.index(last) + 1 if last else 0
        page = tags[start : start + 2]
        headers = {}
        if start + 2 < len(tags):
            headers["Link"] = f'</v2/app/tags/list?n=2&last={page[-1]}>; rel="next"'
        return json_reply(200, {"name": "app", "tags": page}, headers)

    with LocalServer(answer) as server, RegistryClient(server.host, insecure=True, retry=FAST) as client:
        assert client.list_tags("app", page_size=2) == tags
        assert [r.path for r in server.requests] == [
            "/v2/app/tags/list?n=2",
            "/v2/app/tags/list?n=2&last=t1",
            "/v2/app/tags/list?n=2&last=t3",
            "/v2/app/tags/list?n=2&last=t5",
        ]


# -- referrers ---------------------------------------------------------------------------------------------


def _upload_blob(base: str, repo: str, data: bytes) -> Descriptor:
    digest = compute_digest(data)
    started = httpx.post(f"{base}/v2/{repo}/blobs/uploads/")
    assert started.status_code == 202, started.text
    location = httpx.URL(base).join(started.headers["Location"])
    done = httpx.put(location.copy_merge_params({"digest": digest}), content=data)
    assert done.status_code == 201, done.text
    return Descriptor("application/octet-stream", digest, len(data))


def _put_manifest(base: str, repo: str, reference: str, document: dict[str, object]) -> Descriptor:
    data = json.dumps(document).encode()
    media_type = str(document["mediaType"])
    response = httpx.put(f"{base}/v2/{repo}/manifests/{reference}", content=data, headers={"Content-Type": media_type})
    assert response.status_code == 201, response.text
    return Descriptor(media_type, compute_digest(data), len(data))


def _artifact(base: str, repo: str, subject: Descriptor, artifact_type: str, payload: bytes) -> Descriptor:
    config = _upload_blob(base, repo, b"{}")
    layer = _upload_blob(base, repo, payload)
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config.digest, "size": 2},
        "layers": [{"mediaType": "application/octet-stream", "digest": layer.digest, "size": layer.size}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
    }
    return _put_manifest(base, repo, compute_digest(json.dumps(document).encode()), document)


def test_referrers_fall_back_to_the_tag_schema(
    pushed: RunningRegistry, image_dir: Path, client: RegistryClient
) -> None:
    push(f"oci:{image_dir / 'layout'}:v1", f"{pushed.host}/client/referred:v1")
    subject = client.head_manifest("client/referred", "v1")
    subject = Descriptor(OCI_MANIFEST, subject.digest, subject.size)
    sbom = _artifact(pushed.url, "client/referred", subject, SBOM_TYPE, b'{"sbom": true}')
    signature = _artifact(pushed.url, "client/referred", subject, SIG_TYPE, b"signature")
    entries = [
        {"mediaType": OCI_MANIFEST, "digest": d.digest, "size": d.size, "artifactType": t}
        for d, t in ((sbom, SBOM_TYPE), (signature, SIG_TYPE))
    ]
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    _put_manifest(pushed.url, "client/referred", subject.digest.replace(":", "-"), index)

    assert client.referrers("client/referred", subject.digest) == [
        Referrer(Descriptor(OCI_MANIFEST, sbom.digest, sbom.size), SBOM_TYPE),
        Referrer(Descriptor(OCI_MANIFEST, signature.digest, signature.size), SIG_TYPE),
    ]
    assert client.referrers("client/referred", subject.digest, SIG_TYPE) == [
        Referrer(Descriptor(OCI_MANIFEST, signature.digest, signature.size), SIG_TYPE)
    ]


def test_no_referrers_is_an_empty_list(client: RegistryClient) -> None:
    assert client.referrers("client/app", "sha256:" + "1" * 64) == []


def test_referrers_api_is_used_when_present() -> None:
    wanted = "sha256:" + "2" * 64
    entries = [
        {"mediaType": OCI_MANIFEST, "digest": "sha256:" + "3" * 64, "size": 10, "artifactType": SIG_TYPE},
        {"mediaType": OCI_MANIFEST, "digest": "sha256:" + "4" * 64, "size": 20, "artifactType": SBOM_TYPE},
    ]

    def answer(request: Request) -> Reply:
        # This registry ignores the artifactType filter: the client must filter itself.
        assert request.path.startswith(f"/v2/app/referrers/{wanted}")
        return json_reply(200, {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})

    with LocalServer(answer) as server, RegistryClient(server.host, insecure=True, retry=FAST) as client:
        found = client.referrers("app", wanted, SBOM_TYPE)
        assert found == [Referrer(Descriptor(OCI_MANIFEST, "sha256:" + "4" * 64, 20), SBOM_TYPE)]
        assert (
            server.requests[0].path
            == f"/v2/app/referrers/{wanted}?artifactType=application%2Fvnd.example.sbom.v1%2Bjson"
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the registry's answer for tags of app is not valid JSON"),
        (b"\xff\xfe", "the registry's answer for tags of app is not valid JSON"),
        (b'{"tags": "v1"}', "`tags` must be a list of strings"),
        (b'{"tags": ["v1", 2]}', "`tags` must be a list of strings"),
    ],
)
def test_malformed_tag_list_is_bad_input(body: bytes, message: str) -> None:
    reply = Reply(200, body, {"Content-Type": "application/json"})
    with LocalServer(lambda request: reply) as server:
        client = RegistryClient(server.host, insecure=True, retry=FAST)
        with client, pytest.raises(BadInputError, match=message):
            client.list_tags("app")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "referrers index is not valid JSON"),
        (b'{"schemaVersion": 2, "manifests": {}}', "referrers index has no `manifests` list"),
        (b'{"manifests": [{"mediaType": "x", "digest": "sha256:1", "size": -1}]}', "size must be a non-negative"),
    ],
)
def test_malformed_referrers_index_is_bad_input(body: bytes, message: str) -> None:
    reply = Reply(200, body, {"Content-Type": OCI_INDEX})
    with LocalServer(lambda request: reply) as server:
        client = RegistryClient(server.host, insecure=True, retry=FAST)
        with client, pytest.raises(BadInputError, match=message):
            client.referrers("app", "sha256:" + "2" * 64)


# -- retries, timeouts, failures ---------------------------------------------------------------------------


def _failing_then_proxy(target: RunningRegistry, failures: list[Reply]) -> LocalServer:
    remaining = list(failures)

    def answer(request: Request) -> Reply:
        return remaining.pop(0) if remaining else proxy_to(target, request)

    return LocalServer(answer)


def test_retries_after_500(pushed: RunningRegistry) -> None:
    failures = [json_reply(500, {"errors": [{"code": "UNKNOWN", "message": "boom"}]})] * 2
    with _failing_then_proxy(pushed, failures) as server:
        with RegistryClient(server.host, insecure=True, retry=FAST) as client:
            assert client.list_tags("client/app") == ["v1"]
        assert len(server.requests) == 3


@pytest.mark.parametrize("as_date", [False, True])
def test_429_honours_retry_after(pushed: RunningRegistry, as_date: bool) -> None:
    # HTTP dates have 1 s resolution: 2.5 s ahead is at least 1 s of waiting.
    retry_after = formatdate(time.time() + 2.5, usegmt=True) if as_date else "1"
    with _failing_then_proxy(pushed, [Reply(429, b"slow down", {"Retry-After": retry_after})]) as server:
        with RegistryClient(server.host, insecure=True, retry=FAST) as client:
            started = time.monotonic()
            assert client.list_tags("client/app") == ["v1"]
            assert time.monotonic() - started >= 0.9
        assert len(server.requests) == 2


def test_persistent_503_gives_up_after_max_attempts(pushed: RunningRegistry) -> None:
    with _failing_then_proxy(pushed, [Reply(503, b"down")] * 10) as server:
        client = RegistryClient(server.host, insecure=True, retry=FAST)
        with client, pytest.raises(RegistryUnreachableError, match="HTTP 503"):
            client.list_tags("client/app")
        assert len(server.requests) == FAST.max_attempts


def test_server_that_never_answers_times_out_quickly() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host = f"127.0.0.1:{silent.getsockname()[1]}"
        policy = RetryPolicy(max_attempts=2, base_delay=0.01, total_timeout=5)
        with RegistryClient(host, insecure=True, timeout=0.3, retry=policy) as client:
            started = time.monotonic()
            with pytest.raises(RegistryUnreachableError, match=rf"http://{host}/v2/app/tags/list: timed out"):
                client.list_tags("app")
            assert time.monotonic() - started < 3


def test_refused_connection_is_unreachable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{closed.getsockname()[1]}"
    with RegistryClient(host, insecure=True, retry=FAST) as client, pytest.raises(RegistryUnreachableError):
        client.list_tags("app")


def test_forbidden() -> None:
    denied = json_reply(403, {"errors": [{"code": "DENIED", "message": "requested access is denied"}]})
    with LocalServer(lambda request: denied) as server:
        client = RegistryClient(server.host, insecure=True, retry=FAST)
        with client, pytest.raises(ForbiddenError, match="DENIED: requested access is denied"):
            client.list_tags("app")


def test_tampered_blob_is_rejected_and_partial_file_removed(
    pushed: RunningRegistry, client: RegistryClient, tmp_path: Path
) -> None:
    layer = _layer(client)

    def tamper(request: Request) -> Reply:
        reply = proxy_to(pushed, request)
        if "/blobs/" in request.path:
            return Reply(reply.status, bytes([reply.body[0] ^ 0xFF]) + reply.body[1:], reply.headers)
        return reply

    with LocalServer(tamper) as server, RegistryClient(server.host, insecure=True, retry=FAST) as evil:
        with pytest.raises(DigestMismatchError, match="digest mismatch"):
            evil.get_blob_to_file("client/app", layer, tmp_path / "layer")
        assert not (tmp_path / "layer").exists()


def test_tampered_manifest_is_rejected(pushed: RunningRegistry, client: RegistryClient) -> None:
    digest = client.get_manifest("client/app", "v1").digest

    def tamper(request: Request) -> Reply:
        reply = proxy_to(pushed, request)
        return Reply(reply.status, reply.body.replace(b'"schemaVersion"', b'"schemaVersion" '), reply.headers)

    with LocalServer(tamper) as server, RegistryClient(server.host, insecure=True, retry=FAST) as evil:
        with pytest.raises(IntegrityError):
            evil.get_manifest("client/app", digest)
        # By tag there is nothing to pin, but the registry's own Docker-Content-Digest must still match.
        with pytest.raises(IntegrityError):
            evil.get_manifest("client/app", "v1")


def test_secure_client_does_not_speak_plain_http(pushed: RunningRegistry) -> None:
    with RegistryClient(pushed.host, retry=FAST) as client, pytest.raises(RegistryUnreachableError):
        client.list_tags("client/app")


def test_insecure_non_loopback_falls_back_to_http() -> None:
    seen: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.scheme == "https":
            raise httpx.ConnectError("TLS handshake failed", request=request)
        return httpx.Response(200, json={"name": "app", "tags": ["1"]})

    client = RegistryClient("registry.internal:5000", insecure=True, transport=httpx.MockTransport(transport))
    with client:
        assert client.list_tags("app") == ["1"]
        assert client.list_tags("app") == ["1"]
    assert seen == [
        "https://registry.internal:5000/v2/app/tags/list",
        "http://registry.internal:5000/v2/app/tags/list",
        "http://registry.internal:5000/v2/app/tags/list",
    ]


# -- retry policy ------------------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now) == pytest.approx(30.0)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert [policy.backoff(n, rng=lambda: 0.0) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.5]
    assert [policy.backoff(n, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_blob_redirect_to_storage_does_not_leak_credentials(tmp_path: Path) -> None:
    payload = b"layer bytes kept in object storage"
    descriptor = Descriptor("application/octet-stream", compute_digest(payload), len(payload))
    with LocalServer(lambda request: Reply(200, payload)) as storage:

        def registry_answer(request: Request) -> Reply:
            if "Authorization" not in request.headers:
                return Reply(401, b"", {"WWW-Authenticate": 'Basic realm="test"'})
            return Reply(307, b"", {"Location": f"http://{storage.host}/blob?sig=abc"})

        with LocalServer(registry_answer) as server:
            auth = RegistryAuth(Credentials("user", "secret"))
            with RegistryClient(server.host, auth=auth, insecure=True, retry=FAST) as client:
                client.get_blob_to_file("app", descriptor, tmp_path / "blob")
            assert [r.headers.get("Authorization") is not None for r in server.requests] == [False, True]
        assert (tmp_path / "blob").read_bytes() == payload
        assert [r.path for r in storage.requests] == ["/blob?sig=abc"]
        assert "Authorization" not in storage.requests[0].headers


@pytest.mark.parametrize(
    ("repo", "reference"), [("../../etc", "v1"), ("app", "../x"), ("App", "v1"), ("app", "sha256:zz")]
)
def test_invalid_names_are_refused_before_any_request(repo: str, reference: str) -> None:
    with LocalServer(lambda request: Reply(500)) as server:
        with RegistryClient(server.host, insecure=True, retry=FAST) as client, pytest.raises(BadInputError):
            client.get_manifest(repo, reference)
        assert server.requests == []
