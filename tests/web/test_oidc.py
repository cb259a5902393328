"""OIDC sign-in against a local provider speaking the protocol at the wire (tests/support/oidc_provider.py):
authorization code with PKCE S256, state and nonce, ID tokens checked (signature, issuer, audience, expiry,
nonce), signing keys rotated; first sign-in rules (linked, created with a default role, or refused)."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from regwarden.model.access import Role
from regwarden.service.accounts import add_user, disable_user
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, oidc_provider
from tests.web.conftest import BASE_URL, Server, serve


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    with oidc_provider(tmp_path / "oidc") as running:
        yield running


def _server(demo_db: str, provider: Provider, default_role: Role | None = Role.VIEWER) -> Iterator[Server]:
    from regwarden.web.settings import OidcSettings

    settings = OidcSettings(provider.issuer, CLIENT_ID, CLIENT_SECRET, default_role, ca_file=provider.ca_file)
    yield from serve(demo_db, oidc=settings)


@pytest.fixture
def oidc_server(demo_db: str, provider: Provider) -> Iterator[Server]:
    yield from _server(demo_db, provider)


def _sign_in(server: Server, provider: Provider, next_path: str = "/images") -> httpx.Response:
    """Browser steps: our redirect to the provider, the provider's redirect back, our callback."""
    start = server.client.get(f"/login/oidc?next={next_path}", follow_redirects=False)
    assert start.status_code == 303
    with httpx.Client(verify=ssl.create_default_context(cafile=str(provider.ca_file))) as browser:
        back = browser.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}" == BASE_URL
    return server.client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


def test_sign_in_with_pkce_creates_a_viewer_and_a_session(oidc_server: Server, provider: Provider) -> None:
    start = oidc_server.client.get("/login/oidc?next=/images", follow_redirects=False)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == f"{BASE_URL}/auth/callback"
    assert set(query) >= {"state", "nonce", "client_id", "scope"}
    done = _sign_in(oidc_server, provider)
    assert (done.status_code, done.headers["location"]) == (303, "/images")
    assert oidc_server.client.get("/images", follow_redirects=False).status_code == 200
    user = oidc_server.store.users.by_name("ada@example.com")
    assert user is not None
    assert (user.role, user.issuer, user.subject, user.display_name) == (
        Role.VIEWER, provider.issuer, "entra-sub-1", "Ada L."
    )  # fmt: skip
    token_request = provider.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code" and len(token_request["code_verifier"]) >= 43
    logins = oidc_server.store.audit_log.recent(action="login.ok")
    assert [(e.actor, e.detail) for e in logins] == [("ada@example.com", {"method": "oidc"})]


def test_rotated_signing_keys_are_fetched_again(oidc_server: Server, provider: Provider) -> None:
    assert _sign_in(oidc_server, provider).status_code == 303
    fetched = provider.jwks_fetches
    provider.rotate()
    provider.retire()  # the key the server cached is gone; tokens now name a key id it has not seen
    oidc_server.client.cookies.clear()
    assert _sign_in(oidc_server, provider).status_code == 303
    assert provider.jwks_fetches == fetched + 1


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"aud": "another-application"}, "aud"),
        ({"exp": int(time.time()) - 3600}, "exp"),
        ({"nonce": "replayed-nonce"}, "nonce"),
        ({"iss": "https://evil.example/v2.0"}, "iss"),
        ({"unpublished_key": True}, "signature"),
    ],
)
def test_id_tokens_that_do_not_check_out_are_refused(
    oidc_server: Server, provider: Provider, tamper: dict[str, object], reason: str
) -> None:
    provider.tamper = tamper
    refused = _sign_in(oidc_server, provider)
    assert refused.status_code == 401
    assert reason in refused.text
    assert oidc_server.client.get("/", follow_redirects=False).status_code == 303
    assert oidc_server.store.users.by_name("ada@example.com") is None
    assert [e.detail["method"] for e in oidc_server.store.audit_log.recent(action="login.failed")] == ["oidc"]


def test_a_callback_is_used_once_and_only_by_the_browser_that_started_it(
    oidc_server: Server, provider: Provider
) -> None:
    start = oidc_server.client.get("/login/oidc", follow_redirects=False)
    with httpx.Client(verify=ssl.create_default_context(cafile=str(provider.ca_file))) as browser:
        back = urlsplit(browser.get(start.headers["location"]).headers["location"])
    callback = f"{back.path}?{back.query}"
    binding = oidc_server.client.cookies.get("rw_oidc")
    oidc_server.client.cookies.delete("rw_oidc")
    assert oidc_server.client.get(callback, follow_redirects=False).status_code == 401  # another browser
    oidc_server.client.cookies.set("rw_oidc", str(binding), path="/auth/callback")
    assert oidc_server.client.get(callback, follow_redirects=False).status_code == 401  # the state is spent
    forged = oidc_server.client.get("/auth/callback?code=x&state=made-up", follow_redirects=False)
    assert forged.status_code == 401


def test_first_sign_in_links_an_added_user_or_is_refused(demo_db: str, provider: Provider) -> None:
    for server in _server(demo_db, provider, default_role=None):
        assert _sign_in(server, provider).status_code == 401  # nobody added ada, and no default role
        add_user(server.store, "ada@example.com", Role.TRIAGER, None, actor="admin")
        assert _sign_in(server, provider).status_code == 303
        linked = server.store.users.by_name("ada@example.com")
        assert linked is not None and (linked.role, linked.subject) == (Role.TRIAGER, "entra-sub-1")
        disable_user(server.store, "ada@example.com", actor="admin")
        server.client.cookies.clear()
        assert _sign_in(server, provider).status_code == 401


def test_oidc_is_not_served_when_not_configured(server: Server) -> None:
    assert server.client.get("/login/oidc", follow_redirects=False).status_code == 404
    assert "Microsoft Entra ID" not in server.client.get("/login").text
