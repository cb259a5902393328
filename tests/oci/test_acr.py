"""ACR sign-in through a local HTTPS server speaking ACR's /oauth2/exchange, /oauth2/token and /v2 challenge.

ACR itself cannot run here, so this fake implements the documented wire format; the client under test is the
real one, fed by a real azure-core `AccessToken` from a credential object.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from regwarden.oci.acr import ACR_CLOUD_SCOPES, AcrTokenFetcher, acr_suffix, auth_for_registry
from regwarden.oci.auth import RealmTokenFetcher, UnauthorizedError
from regwarden.oci.client import RegistryClient
from regwarden.oci.credentials import Credentials
from tests.support.registry import LocalServer, Reply, Request, SelfSignedCert, json_reply, make_self_signed

SERVICE = "fake.azurecr.io"
AAD_TOKEN = "aad-access-token"


class FakeAzureCredential:
    """Stands in for DefaultAzureCredential: the azure-core TokenCredential protocol, counting calls."""

    def __init__(self, fail: bool = False) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.fail = fail

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        if self.fail:
            raise ClientAuthenticationError("no identity available")
        return AccessToken(AAD_TOKEN, int(time.time()) + 3600)


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class FakeAcr:
    """The state of the fake ACR; tests change lifetimes or revoke tokens to drive the client."""

    host: str = ""
    access_lifetime: int = 3600
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: dict[str, str] = field(default_factory=dict)
    """access token -> the scope it was issued for"""
    calls: list[str] = field(default_factory=list)

    def answer(self, request: Request) -> Reply:
        path = request.path.split("?")[0]
        self.calls.append(path)
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if path == "/oauth2/exchange":
            return self._exchange(form)
        if path == "/oauth2/token":
            return self._token(form)
        return self._registry(request)

    def _exchange(self, form: dict[str, str]) -> Reply:
        if form != {"grant_type": "access_token", "service": SERVICE, "access_token": AAD_TOKEN}:
            return json_reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": f"bad exchange {form}"}]})
        token = _jwt({"exp": int(time.time()) + 3 * 3600, "jti": len(self.refresh_tokens)})
        self.refresh_tokens.add(token)
        return json_reply(200, {"refresh_token": token})

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return json_reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad refresh token"}]})
        token = _jwt({"exp": int(time.time()) + self.access_lifetime, "jti": len(self.access_tokens)})
        self.access_tokens[token] = form["scope"]
        return json_reply(200, {"access_token": token})

    def _registry(self, request: Request) -> Reply:
        repo = request.path.split("/")[2]
        scope = f"repository:{repo}:pull"
        authorization = request.headers.get("Authorization", "")
        if self.access_tokens.get(authorization.removeprefix("Bearer ")) == scope:
            return json_reply(200, {"name": repo, "tags": ["1.0"]})
        challenge = f'Bearer realm="https://{self.host}/oauth2/token",service="{SERVICE}",scope="{scope}"'
        body = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        return json_reply(401, body, {"WWW-Authenticate": challenge})


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed(tmp_path_factory.mktemp("acr-tls"))


@pytest.fixture
def acr(tls: SelfSignedCert) -> Iterator[FakeAcr]:
    fake = FakeAcr()
    with LocalServer(fake.answer, tls=tls) as server:
        fake.host = server.host
        yield fake


def _client(acr: FakeAcr, tls: SelfSignedCert, credential: FakeAzureCredential) -> RegistryClient:
    auth = auth_for_registry(acr.host, None, azure_credential=credential)
    return RegistryClient(acr.host, auth=auth, verify=ssl.create_default_context(cafile=tls.cert_path))


def test_exchanges_aad_token_and_reuses_tokens(acr: FakeAcr, tls: SelfSignedCert) -> None:
    credential = FakeAzureCredential()
    with _client(acr, tls, credential) as client:
        assert client.list_tags("app") == ["1.0"]
        assert client.list_tags("app") == ["1.0"]
    # One challenge, one exchange, one access token; the second listing reuses the token.
    tags = "/v2/app/tags/list"
    assert acr.calls == [tags, "/oauth2/exchange", "/oauth2/token", tags, tags]
    assert credential.scopes == [("https://management.azure.com/.default",)]


def test_expired_access_token_is_renewed_from_the_refresh_token(acr: FakeAcr, tls: SelfSignedCert) -> None:
    acr.access_lifetime = 2  # usable for 1 s after the client's skew
    credential = FakeAzureCredential()
    with _client(acr, tls, credential) as client:
        assert client.list_tags("app") == ["1.0"]
        time.sleep(1.2)
        assert client.list_tags("app") == ["1.0"]
    assert acr.calls.count("/oauth2/exchange") == 1
    assert acr.calls.count("/oauth2/token") == 2
    assert len(credential.scopes) == 1


def test_revoked_access_token_is_replaced_on_401(acr: FakeAcr, tls: SelfSignedCert) -> None:
    with _client(acr, tls, FakeAzureCredential()) as client:
        assert client.list_tags("app") == ["1.0"]
        acr.access_tokens.clear()
        assert client.list_tags("app") == ["1.0"]
    assert acr.calls.count("/oauth2/exchange") == 1
    assert acr.calls.count("/oauth2/token") == 2


def test_revoked_refresh_token_is_exchanged_again(acr: FakeAcr, tls: SelfSignedCert) -> None:
    credential = FakeAzureCredential()
    with _client(acr, tls, credential) as client:
        assert client.list_tags("app") == ["1.0"]
        acr.access_tokens.clear()
        acr.refresh_tokens.clear()
        assert client.list_tags("app") == ["1.0"]
    assert acr.calls.count("/oauth2/exchange") == 2
    assert len(credential.scopes) == 2


def test_aad_failure_is_unauthorized(acr: FakeAcr, tls: SelfSignedCert) -> None:
    client = _client(acr, tls, FakeAzureCredential(fail=True))
    with client, pytest.raises(UnauthorizedError, match=r"Azure AD token.*no identity available"):
        client.list_tags("app")


def test_exchange_refusal_is_unauthorized(acr: FakeAcr, tls: SelfSignedCert) -> None:
    class WrongToken(FakeAzureCredential):
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("someone-elses-token", int(time.time()) + 3600)

    client = _client(acr, tls, WrongToken())
    with client, pytest.raises(UnauthorizedError, match="ACR token exchange"):
        client.list_tags("app")


@pytest.mark.parametrize(
    ("registry", "suffix"),
    [
        ("myreg.azurecr.io", ".azurecr.io"),
        ("MyReg.AzureCR.io:443", ".azurecr.io"),
        ("gov.azurecr.us", ".azurecr.us"),
        ("china.azurecr.cn", ".azurecr.cn"),
        ("azurecr.io.evil.com", None),
        ("ghcr.io", None),
    ],
)
def test_acr_hosts_are_recognised(registry: str, suffix: str | None) -> None:
    assert acr_suffix(registry) == suffix


def test_acr_auth_is_chosen_only_without_other_credentials(tmp_path: Path) -> None:
    acr_auth = auth_for_registry("gov.azurecr.us", None, azure_credential=FakeAzureCredential())
    assert isinstance(acr_auth.fetcher, AcrTokenFetcher)
    assert acr_auth.fetcher.aad_scope == ACR_CLOUD_SCOPES[".azurecr.us"]
    # No credential given: the default one is created lazily, on first use, not here.
    assert isinstance(auth_for_registry("r.azurecr.io", None).fetcher, AcrTokenFetcher)
    with_password = auth_for_registry("r.azurecr.io", Credentials("admin", "pw"))
    assert isinstance(with_password.fetcher, RealmTokenFetcher)
    assert isinstance(auth_for_registry("ghcr.io", None).fetcher, RealmTokenFetcher)
