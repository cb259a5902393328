"""Authentication: challenge parsing, credential sources, and every auth mode against real registries."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError
from regwarden.oci.auth import (
    Challenge,
    RegistryAuth,
    UnauthorizedError,
    jwt_expiry,
    parse_www_authenticate,
    token_expiry,
)
from regwarden.oci.client import RegistryClient
from regwarden.oci.credentials import Credentials, docker_config_path, resolve_credentials
from regwarden.oci.registry_source import connect
from tests.support.registry import RunningRegistry, build_layout_image, push

TESTDATA = Path(__file__).parent / "testdata" / "credentials"
REPO = "auth/app"


# -- challenges and tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.example.com/token",service="registry.example.com",'
            'scope="repository:a/b:pull,push"',
            Challenge(
                "bearer",
                {
                    "realm": "https://auth.example.com/token",
                    "service": "registry.example.com",
                    "scope": "repository:a/b:pull,push",
                },
            ),
        ),
        ('Basic realm="Registry Realm"', Challenge("basic", {"realm": "Registry Realm"})),
        (
            "Bearer realm=https://x/token, service=x",
            Challenge("bearer", {"realm": "https://x/token", "service": "x"}),
        ),
        ('Bearer realm="a\\"b"', Challenge("bearer", {"realm": 'a"b'})),
        ("Basic", Challenge("basic", {})),
        ('BEARER Realm="r"', Challenge("bearer", {"realm": "r"})),
    ],
)
def test_parses_www_authenticate(header: str, expected: Challenge) -> None:
    assert parse_www_authenticate(header) == expected


@pytest.mark.parametrize("header", [None, "", "   "])
def test_absent_challenge_is_none(header: str | None) -> None:
    assert parse_www_authenticate(header) is None


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_jwt_expiry_reads_exp_without_verifying() -> None:
    assert jwt_expiry(_jwt({"exp": 1_900_000_000})) == 1_900_000_000.0
    assert jwt_expiry(_jwt({"sub": "x"})) is None
    assert jwt_expiry("opaque-token") is None
    assert jwt_expiry("a.!!!.c") is None


def test_token_expiry_prefers_expires_in_then_jwt_then_default() -> None:
    now = 1000.0
    assert token_expiry("opaque", 300, now) == now + 300 - 5
    assert token_expiry(_jwt({"exp": 1100}), None, now) == now + 100 - 5
    assert token_expiry("opaque", None, now) == now + 60 - 5
    # A 1-second token keeps half its life rather than being born expired.
    assert token_expiry("opaque", 1, now) == now + 0.5
    assert token_expiry("opaque", True, now) == now + 60 - 5


# -- credential sources ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        ("basic.example.com", Credentials("alice", "s3cr3t:with-colon")),
        ("plain.example.com:5000", Credentials("bob", "hunter2")),
        ("legacy.example.com", Credentials("carol", "pass")),
        (
            "myreg.azurecr.io",
            Credentials("00000000-0000-0000-0000-000000000000", "", "acr-refresh-token-value"),
        ),
        ("registry-1.docker.io", Credentials("dave", "hub")),
        ("empty.example.com", None),
        ("unknown.example.com", None),
    ],
)
def test_docker_config_entries(registry: str, expected: Credentials | None) -> None:
    found = resolve_credentials(registry, environ={}, config_path=TESTDATA / "docker_config.json")
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.username, found.password, found.identity_token) == (
        expected.username,
        expected.password,
        expected.identity_token,
    )
    assert found.source == str(TESTDATA / "docker_config.json")


def test_precedence_explicit_then_env_then_config() -> None:
    config = TESTDATA / "docker_config.json"
    env = {"REGWARDEN_USERNAME": "envuser", "REGWARDEN_PASSWORD": "envpass"}
    explicit = resolve_credentials("basic.example.com", username="u", password="p", environ=env, config_path=config)
    assert explicit is not None and (explicit.username, explicit.source) == ("u", "explicit")
    from_env = resolve_credentials("basic.example.com", environ=env, config_path=config)
    assert from_env is not None and (from_env.username, from_env.password, from_env.source) == (
        "envuser",
        "envpass",
        "env",
    )


def test_docker_config_location_from_env(tmp_path: Path) -> None:
    assert docker_config_path({"DOCKER_CONFIG": str(tmp_path)}) == tmp_path / "config.json"
    assert docker_config_path({}) == Path.home() / ".docker" / "config.json"
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"r.io": {"username": "x", "password": "y"}}}))
    found = resolve_credentials("r.io", environ={"DOCKER_CONFIG": str(tmp_path)})
    assert found is not None and (found.username, found.password) == ("x", "y")


@pytest.mark.parametrize("name", ["broken_auth.json", "not_json.json"])
def test_unreadable_docker_config_is_bad_input(name: str) -> None:
    with pytest.raises(BadInputError, match=name):
        resolve_credentials("broken.example.com", environ={}, config_path=TESTDATA / name)


def test_half_explicit_credentials_are_rejected() -> None:
    with pytest.raises(BadInputError, match="username and a password"):
        resolve_credentials("r.io", username="only-user", environ={}, config_path=TESTDATA / "missing.json")


def test_credentials_repr_hides_secrets() -> None:
    assert "hunter2" not in repr(Credentials("bob", "hunter2", "tok"))


# -- real registries ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_layout_image(tmp_path_factory.mktemp("auth-image"), {"etc/motd": b"auth test\n"}, "v1")


@pytest.fixture(scope="module")
def anon(registry: RunningRegistry, image_source: str) -> RunningRegistry:
    push(image_source, f"{registry.host}/{REPO}:v1")
    return registry


@pytest.fixture(scope="module")
def basic(basic_auth_registry: RunningRegistry, image_source: str) -> RunningRegistry:
    push(image_source, f"{basic_auth_registry.host}/{REPO}:v1", creds=basic_auth_registry.creds)
    return basic_auth_registry


@pytest.fixture(scope="module")
def token_pushed(token_auth_registry: RunningRegistry, image_source: str) -> RunningRegistry:
    push(image_source, f"{token_auth_registry.host}/{REPO}:v1", creds=token_auth_registry.creds)
    return token_auth_registry


@pytest.fixture
def token(token_pushed: RunningRegistry) -> Iterator[RunningRegistry]:
    """The token registry with its token server's knobs and history reset around each test."""
    server = token_pushed.token_server
    assert server is not None
    server.reset()
    yield token_pushed
    server.reset()


def _client(running: RunningRegistry, credentials: Credentials | None) -> RegistryClient:
    return RegistryClient(running.host, auth=RegistryAuth(credentials), insecure=True)


def test_anonymous_registry(anon: RunningRegistry) -> None:
    with _client(anon, None) as client:
        assert client.list_tags(REPO) == ["v1"]


def test_basic_auth_good_credentials(basic: RunningRegistry) -> None:
    with _client(basic, Credentials(basic.username, basic.password)) as client:
        assert client.list_tags(REPO) == ["v1"]
        assert client.get_manifest(REPO, "v1").media_type == "application/vnd.oci.image.manifest.v1+json"


@pytest.mark.parametrize("credentials", [None, Credentials("tester", "wrong-password")])
def test_basic_auth_refuses_missing_or_wrong_credentials(
    basic: RunningRegistry, credentials: Credentials | None
) -> None:
    with _client(basic, credentials) as client, pytest.raises(UnauthorizedError, match="unauthorized"):
        client.list_tags(REPO)


def test_basic_auth_from_env_and_docker_config(basic: RunningRegistry, tmp_path: Path) -> None:
    env = {"REGWARDEN_USERNAME": basic.username or "", "REGWARDEN_PASSWORD": basic.password or ""}
    with connect(basic.host, insecure=True, environ=env, docker_config=tmp_path / "none.json") as client:
        assert client.list_tags(REPO) == ["v1"]
    encoded = base64.b64encode(f"{basic.username}:{basic.password}".encode()).decode()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"auths": {f"http://{basic.host}": {"auth": encoded}}}))
    with connect(basic.host, insecure=True, environ={}, docker_config=config) as client:
        assert client.list_tags(REPO) == ["v1"]


def test_bearer_token_flow_caches_the_token_per_scope(token: RunningRegistry) -> None:
    server = token.token_server
    assert server is not None
    with _client(token, Credentials(token.username, token.password)) as client:
        assert client.list_tags(REPO) == ["v1"]
        digest = client.get_manifest(REPO, "v1").digest
        assert client.head_manifest(REPO, "v1").digest == digest
        assert client.catalog() == sorted(client.catalog())
        assert REPO in client.catalog()
    assert server.issued == [f"repository:{REPO}:pull", "registry:catalog:*"]


def test_bearer_token_accepts_access_token_field(token: RunningRegistry) -> None:
    server = token.token_server
    assert server is not None
    server.token_field = "access_token"
    with _client(token, Credentials(token.username, token.password)) as client:
        assert client.list_tags(REPO) == ["v1"]
    assert len(server.issued) == 1


@pytest.mark.parametrize("credentials", [None, Credentials("tokenuser", "wrong")])
def test_token_server_refusal_is_unauthorized(token: RunningRegistry, credentials: Credentials | None) -> None:
    with _client(token, credentials) as client, pytest.raises(UnauthorizedError, match="token server"):
        client.list_tags(REPO)


def test_identity_token_uses_oauth2_refresh_grant(token: RunningRegistry, tmp_path: Path) -> None:
    server = token.token_server
    assert server is not None
    config = tmp_path / "config.json"
    entry = {"auth": base64.b64encode(b"00000000-0000-0000-0000-000000000000:").decode()}
    config.write_text(json.dumps({"auths": {token.host: entry | {"identitytoken": server.refresh_token}}}))
    with connect(token.host, insecure=True, environ={}, docker_config=config) as client:
        assert client.list_tags(REPO) == ["v1"]
    assert server.issued == [f"repository:{REPO}:pull"]


def test_expired_token_is_refreshed(token: RunningRegistry) -> None:
    server = token.token_server
    assert server is not None
    server.ttl = 1
    with _client(token, Credentials(token.username, token.password)) as client:
        assert client.list_tags(REPO) == ["v1"]
        time.sleep(1.2)
        assert client.list_tags(REPO) == ["v1"]
    assert len(server.issued) == 2


def test_rejected_cached_token_is_replaced_on_401(token: RunningRegistry) -> None:
    server = token.token_server
    assert server is not None
    server.bad_next = 1  # the first token grants nothing: the registry answers 401 to it
    with _client(token, Credentials(token.username, token.password)) as client:
        with pytest.raises(UnauthorizedError):
            client.list_tags(REPO)
        # The client still holds the bad token; the registry refuses it, and the client fetches a new one.
        assert client.list_tags(REPO) == ["v1"]
    assert len(server.issued) == 2
