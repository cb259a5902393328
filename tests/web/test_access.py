"""Access to the server: nothing without a session or a token, roles, token scopes, CSRF, rate limits, headers,
cookies, and no secret in the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute

from regwarden.model.access import Scope
from regwarden.service.api_tokens import issue_token, revoke_token
from regwarden.web.app import create_app
from tests.web.conftest import PASSWORDS, Server, serve, settings_for

DIGEST = "sha256:" + "a" * 64
OPEN_PATHS = {"/login", "/login/oidc", "/auth/callback", "/healthz", "/webhooks/acr", "/webhooks/distribution"}
TRIAGE = {"vulnerability": "CVE-2024-34064", "scope": "all", "state": "not_affected", "reason": "not reachable"}


def api_routes(routes: Sequence[object]) -> list[APIRoute]:
    """Every route of the app, inside the routers it includes too (routers are included without a prefix)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router.routes)
    return found


def _routes() -> list[tuple[str, str]]:
    app = create_app(settings_for("sqlite:///unused.db"))
    found = []
    for route in api_routes(app.routes):
        if route.path not in OPEN_PATHS:
            path = route.path.replace("{digest}", DIGEST).replace("{vuln_id}", "CVE-1").replace("{name}", "x")
            found += [(method, path.replace("{workload_id}", "1")) for method in sorted(route.methods)]
    return found


@pytest.mark.parametrize(("method", "path"), _routes())
def test_every_route_refuses_a_request_without_session_or_token(server: Server, method: str, path: str) -> None:
    response = server.client.request(method, path, follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code in (303, 403), response.text
        if method == "GET":
            assert response.headers["location"].startswith("/login?next=")


def test_the_route_list_covers_pages_api_and_forms() -> None:
    paths = {path for _, path in _routes()}
    assert {"/", "/images", "/api/v1/images", "/api/v1/triage", "/api/v1/sboms", "/logout"} <= paths
    assert len(paths) >= 30


def test_a_viewer_cannot_triage_by_api_or_form(server: Server) -> None:
    server.sign_in("viewer")
    csrf = server.csrf()
    api = server.client.post("/api/v1/triage", json=TRIAGE, headers={"X-CSRF-Token": csrf})
    assert api.status_code == 403
    assert "needs the triager role" in api.json()["detail"]
    form = {**TRIAGE, "csrf_token": csrf}
    page = server.client.post("/vulnerabilities/CVE-2024-34064/triage", data=form, follow_redirects=False)
    assert page.status_code == 403
    assert server.store.triage.decisions() == []


def test_a_triager_records_a_decision_with_their_name(server: Server) -> None:
    server.sign_in("triager")
    response = server.client.post("/api/v1/triage", json=TRIAGE, headers={"X-CSRF-Token": server.csrf()})
    assert response.status_code == 201, response.text
    decisions = server.store.triage.decisions()
    assert {(d.vuln_id, d.author, d.reason) for d in decisions} == {("CVE-2024-34064", "triager", "not reachable")}
    trail = server.store.audit_log.recent(action="triage.add")
    assert [(entry.actor, entry.target) for entry in trail] == [("triager", "CVE-2024-34064")]


def test_posts_without_the_csrf_token_fail(server: Server) -> None:
    server.sign_in("admin")
    assert server.client.post("/api/v1/triage", json=TRIAGE).status_code == 403
    wrong = server.client.post("/api/v1/triage", json=TRIAGE, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    form = server.client.post("/vulnerabilities/CVE-2024-34064/triage", data=TRIAGE, follow_redirects=False)
    assert form.status_code == 403
    logout = server.client.post("/logout", follow_redirects=False)
    assert logout.status_code == 403
    assert server.store.triage.decisions() == []
    assert server.client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_a_cross_origin_post_fails_even_with_the_token(server: Server) -> None:
    server.sign_in("admin")
    headers = {"X-CSRF-Token": server.csrf(), "Origin": "https://evil.example"}
    assert server.client.post("/api/v1/triage", json=TRIAGE, headers=headers).status_code == 403


def test_signing_in_needs_the_login_form_token(server: Server) -> None:
    form = {"username": "admin", "password": PASSWORDS["admin"], "next": "/"}
    response = server.client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert server.client.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_and_audited(server: Server) -> None:
    page = server.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": "admin", "password": "not the password", "next": "/", "csrf_token": token.group(1)}
    response = server.client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 401
    assert "wrong user name or password" in response.text
    failed = server.store.audit_log.recent(action="login.failed")
    assert [(e.actor, e.detail) for e in failed] == [("admin", {"method": "password"})]


def test_sign_out_ends_the_session_server_side(server: Server) -> None:
    server.sign_in("viewer")
    cookie = server.client.cookies.get("rw_session")
    assert server.client.post("/logout", data={"csrf_token": server.csrf()}, follow_redirects=False).status_code == 303
    server.client.cookies.set("rw_session", str(cookie))  # a stolen copy of the cookie no longer works
    assert server.client.get("/", follow_redirects=False).status_code == 303


def _token(server: Server, *scopes: Scope, owner: str = "admin", ttl: timedelta = timedelta(days=1)) -> str:
    return issue_token(server.store, owner, "ci", frozenset(scopes), actor="test", ttl=ttl).secret


def test_a_token_outside_its_scope_fails(server: Server) -> None:
    reader = {"Authorization": f"Bearer {_token(server, Scope.READ)}"}
    ingester = {"Authorization": f"Bearer {_token(server, Scope.INGEST)}"}
    assert server.client.get("/api/v1/images", headers=reader).status_code == 200
    assert server.client.post("/api/v1/triage", json=TRIAGE, headers=reader).status_code == 403
    assert server.client.get("/api/v1/images", headers=ingester).status_code == 403
    assert server.client.post("/api/v1/sboms", content=b"{}", headers=reader).status_code == 403


def test_a_token_acts_with_at_most_its_owners_role(server: Server) -> None:
    headers = {"Authorization": f"Bearer {_token(server, Scope.READ, Scope.TRIAGE, owner='viewer')}"}
    assert server.client.post("/api/v1/triage", json=TRIAGE, headers=headers).status_code == 403
    triager = {"Authorization": f"Bearer {_token(server, Scope.TRIAGE, owner='triager')}"}
    response = server.client.post("/api/v1/triage", json=TRIAGE, headers=triager)
    assert response.status_code == 201  # a token needs no CSRF token: browsers never send it on their own
    assert [d.author for d in server.store.triage.decisions()] == ["token:ci (triager)"]


def test_expired_revoked_and_malformed_tokens_are_refused(server: Server) -> None:
    expired = issue_token(server.store, "admin", "old", frozenset({Scope.READ}), actor="t", ttl=timedelta(seconds=1),
                          now=datetime.now(UTC) - timedelta(hours=1))  # fmt: skip
    revoked = issue_token(server.store, "admin", "gone", frozenset({Scope.READ}), actor="t")
    revoke_token(server.store, revoked.token.token_id, actor="t")
    secret = _token(server, Scope.READ)
    tampered = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    for presented in (expired.secret, revoked.secret, tampered, "rwt_nothing", "Basic abc"):
        response = server.client.get("/api/v1/images", headers={"Authorization": f"Bearer {presented}"})
        assert response.status_code == 401, presented


def test_tokens_and_passwords_are_stored_hashed(server: Server) -> None:
    import sqlalchemy as sa

    secret = _token(server, Scope.READ)
    with server.store.engine.connect() as conn:
        stored = [str(value) for row in conn.execute(sa.text("SELECT * FROM api_tokens")) for value in row]
        hashes = [str(row[0]) for row in conn.execute(sa.text("SELECT password_hash FROM users"))]
    assert not any(secret.split("_", 2)[2] in value for value in stored)
    assert all(value.startswith("$argon2id$") for value in hashes)
    assert not any(password in " ".join(hashes) for password in PASSWORDS.values())


def test_logins_are_rate_limited_per_address(demo_db: str) -> None:
    from regwarden.web.settings import RateLimits

    for server in serve(demo_db, rate_limits=RateLimits(logins_per_minute=3)):
        codes = [server.client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(5)]
        assert codes == [403, 403, 403, 429, 429]
        assert server.client.post("/login", data={}).headers["retry-after"].isdigit()


def test_security_headers_on_pages_and_api(server: Server) -> None:
    for response in (server.client.get("/login"), server.client.get("/api/v1/images"), server.client.get("/healthz")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers  # plain HTTP: HSTS would be a lie


def test_behind_tls_hsts_and_host_prefixed_secure_cookies(demo_db: str) -> None:
    for server in serve(demo_db, public_url="https://regwarden.example"):
        page = server.client.get("/login")
        assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": "admin", "password": PASSWORDS["admin"], "next": "/", "csrf_token": token}
        server.client.cookies.set("rw_login", token)  # a Secure cookie: the plain-HTTP test client keeps it back
        response = server.client.post("/login", data=form, follow_redirects=False)
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-rw_session=")
        assert {"HttpOnly", "Secure", "SameSite=lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}


def test_no_secret_reaches_the_logs(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    secret = _token(server, Scope.READ, Scope.TRIAGE)
    with caplog.at_level(logging.DEBUG):
        server.sign_in("admin")
        server.client.get("/api/v1/images?q=secret-query", headers={"Authorization": f"Bearer {secret}"})
        server.client.get("/auth/callback?code=the-authorization-code&state=s")
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith(("regwarden", "uvicorn", "fastapi"))]
    text = " ".join(server_lines) + " ".join(str(e.detail) for e in server.store.audit_log.recent(limit=1000))
    for needle in (PASSWORDS["admin"], secret, secret.split("_", 2)[2], "the-authorization-code", "secret-query"):
        assert needle not in text
    assert any("GET /api/v1/images 200" in line for line in server_lines)  # the access line, without the query


def test_open_routes_answer_without_credentials(server: Server) -> None:
    assert server.client.get("/healthz").json()["status"] == "ok"
    assert server.client.get("/login").status_code == 200
    assert server.client.get("/static/app.css").status_code == 200
    assert server.client.get("/api/v1/openapi.json").status_code == 200
