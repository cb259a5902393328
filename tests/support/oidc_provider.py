"""A small OpenID Connect provider on 127.0.0.1 over TLS, speaking the protocol as Microsoft Entra ID does on the
wire: discovery (`/.well-known/openid-configuration`), JWKS, the authorization endpoint (which signs the user in at
once and redirects back with a code) and the token endpoint (client secret, code, redirect URI and the PKCE S256
verifier all checked; an RS256 ID token with the nonce). Its signing keys can be rotated, and tests can ask for
tokens that must be refused (another audience, expired, a wrong nonce, a key the JWKS never published)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.registry import make_self_signed

CLIENT_ID = "00000000-aaaa-bbbb-cccc-000000000001"
CLIENT_SECRET = "provider client secret"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str


@dataclass
class Provider:
    issuer: str
    ca_file: Path
    user: dict[str, str] = field(
        default_factory=lambda: {"sub": "entra-sub-1", "preferred_username": "Ada@Example.com", "name": "Ada L."}
    )
    keys: list[RSAKey] = field(default_factory=list)
    """Published keys; the first signs."""
    grants: dict[str, Grant] = field(default_factory=dict)
    tamper: dict[str, Any] = field(default_factory=dict)
    """Claims to override in the next tokens (aud, exp, nonce), or `unpublished_key: True`."""
    token_requests: list[dict[str, str]] = field(default_factory=list)
    jwks_fetches: int = 0

    def rotate(self) -> None:
        """A new signing key; the old one stays published (as Entra does during a rollover) until `retire()`."""
        self.keys.insert(0, RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"}))

    def retire(self) -> None:
        del self.keys[1:]

    def id_token(self, client_id: str, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "aud": client_id, "iat": now, "nbf": now, "exp": now + 3600,
                                  "nonce": nonce, "tid": "tenant-1", **self.user}  # fmt: skip
        claims.update({k: v for k, v in self.tamper.items() if k != "unpublished_key"})
        key = self.keys[0]
        if self.tamper.get("unpublished_key"):
            key = RSAKey.generate_key(2048, parameters={"kid": "never-published"})
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, {
                    "issuer": provider.issuer,
                    "authorization_endpoint": f"{provider.issuer}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{provider.issuer}/oauth2/v2.0/token",
                    "jwks_uri": f"{provider.issuer}/discovery/v2.0/keys",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["pairwise"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                })  # fmt: skip
            elif parts.path == "/discovery/v2.0/keys":
                provider.jwks_fetches += 1
                self._json(200, {"keys": [key.as_dict(private=False) for key in provider.keys]})
            elif parts.path == "/oauth2/v2.0/authorize":
                self._authorize(parse_qs(parts.query))
            else:
                self._json(404, {"error": "not_found"})

        def _authorize(self, query: dict[str, list[str]]) -> None:
            one = {key: values[0] for key, values in query.items()}
            if one.get("response_type") != "code" or one.get("code_challenge_method") != "S256":
                self._json(400, {"error": "invalid_request"})
                return
            code = secrets.token_urlsafe(16)
            provider.grants[code] = Grant(one["client_id"], one["redirect_uri"], one["code_challenge"], one["nonce"])
            location = f"{one['redirect_uri']}?{urlencode({'code': code, 'state': one['state']})}"
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            provider.token_requests.append(form)
            grant = provider.grants.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (
                grant is None
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != grant.redirect_uri
                or challenge != grant.challenge
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            token = provider.id_token(grant.client_id, grant.nonce)
            self._json(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "opaque", "id_token": token})

        def _json(self, status: int, document: object) -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def oidc_provider(directory: Path) -> Iterator[Provider]:
    cert = make_self_signed(directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    provider = Provider(issuer=f"https://127.0.0.1:{port}/tenant-1/v2.0", ca_file=cert.cert_path)
    provider.rotate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert_path, cert.key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.RequestHandlerClass = _prefixed(_handler(provider), "/tenant-1/v2.0")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def _prefixed(handler: type[BaseHTTPRequestHandler], prefix: str) -> type[BaseHTTPRequestHandler]:
    """Entra's endpoints live under /{tenant}/v2.0 (and the issuer with them): strip it before routing."""

    class Prefixed(handler):  # type: ignore[misc, valid-type]
        def parse_request(self) -> bool:
            ok = super().parse_request()
            if ok and self.path.startswith(prefix):
                self.path = self.path[len(prefix) :] or "/"
            return bool(ok)

    return Prefixed
