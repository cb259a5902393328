"""OIDC sign-in (Microsoft Entra ID, or any provider): authorization code flow with PKCE (S256), state and nonce.

1. `/login/oidc` makes a state, a nonce and a PKCE verifier, keeps them server-side for ten minutes under the
   state (bound to the browser by a cookie holding a random value whose hash is kept), and redirects to the
   provider's authorization endpoint (from its discovery document).
2. `/auth/callback` checks the state and the browser binding, exchanges the code with the verifier (authlib),
   and validates the ID token (joserfc): signature by a key of the provider's JWKS (fetched again once when the
   token names a key id it does not know: the provider rotated its keys), issuer, audience, expiry, issue time,
   nonce. Any failure is an AuthError: nobody is signed in on a token that was not fully checked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from regwarden.model.errors import AuthError, UnreachableError
from regwarden.web.settings import OidcSettings

PENDING_SECONDS = 600
DISCOVERY_SECONDS = 3600
LEEWAY_SECONDS = 120


@dataclass(frozen=True)
class OidcIdentity:
    issuer: str
    subject: str
    name: str
    """preferred_username, else email, else upn, else the subject."""
    display_name: str


@dataclass(frozen=True)
class _Pending:
    binding_hash: str
    verifier: str
    nonce: str
    next_url: str
    expires: float


class OidcClient:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._jwks: dict[str, Any] | None = None

    def begin(self, redirect_uri: str, next_url: str) -> tuple[str, str]:
        """(the provider URL to send the browser to, the binding cookie's value)."""
        from authlib.integrations.httpx_client import OAuth2Client

        state, nonce, verifier, binding = (secrets.token_urlsafe(32) for _ in range(4))
        with self._lock:
            now = time.monotonic()
            self._pending = {k: v for k, v in self._pending.items() if v.expires > now}
            self._pending[state] = _Pending(_hash(binding), verifier, nonce, next_url, now + PENDING_SECONDS)
        client = OAuth2Client(self.settings.client_id, scope=self.settings.scopes, redirect_uri=redirect_uri,
                              code_challenge_method="S256")  # fmt: skip
        url, _ = client.create_authorization_url(
            self.discovery()["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
        return str(url), binding

    def finish(self, state: str, code: str, binding: str, redirect_uri: str) -> tuple[OidcIdentity, str]:
        """The identity the provider vouches for, and where the user was going."""
        with self._lock:
            pending = self._pending.pop(state, None)
        if pending is None or pending.expires < time.monotonic():
            raise AuthError("the sign-in took too long or was not started here: try again")
        if not hmac.compare_digest(pending.binding_hash, _hash(binding)):
            raise AuthError("the sign-in was started in another browser")
        tokens = self._exchange(code, pending.verifier, redirect_uri)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise AuthError("the provider answered without an ID token")
        return self._identity(self._claims(id_token, pending.nonce)), pending.next_url

    def discovery(self) -> dict[str, Any]:
        cached = self._discovery
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url)
        if document.get("issuer") != self.settings.issuer:
            raise AuthError(f"the discovery document names issuer {document.get('issuer')!r}, not the configured one")
        self._discovery = (time.monotonic() + DISCOVERY_SECONDS, document)
        return document

    def _exchange(self, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
        from authlib.integrations.base_client import OAuthError
        from authlib.integrations.httpx_client import OAuth2Client

        client = OAuth2Client(
            self.settings.client_id,
            self.settings.client_secret,
            redirect_uri=redirect_uri,
            token_endpoint_auth_method="client_secret_post",
            verify=self._tls(),
            timeout=10.0,
        )
        try:
            with client:
                token = client.fetch_token(self.discovery()["token_endpoint"], code=code, code_verifier=verifier)
        except OAuthError as error:
            raise AuthError(f"the provider refused the code: {error.error}") from None
        except Exception as error:  # httpx transport errors: the provider is unreachable
            raise UnreachableError(f"cannot reach the OIDC token endpoint: {type(error).__name__}") from None
        return dict(token)

    def _claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        from joserfc import jwt
        from joserfc.errors import JoseError

        try:
            token = self._decode(id_token, self._keys(refresh=False))
        except AuthError:
            token = self._decode(id_token, self._keys(refresh=True))  # the provider may have rotated its keys
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.settings.issuer},
            aud={"essential": True, "value": self.settings.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as error:
            raise AuthError(f"the ID token was refused: {error}") from None
        return dict(token.claims)

    def _decode(self, id_token: str, keys: dict[str, Any]) -> Any:
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        try:
            return jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=["RS256", "ES256", "PS256"])  # type: ignore[arg-type]
        except (JoseError, ValueError) as error:
            raise AuthError(f"the ID token's signature does not verify: {error}") from None

    def _keys(self, *, refresh: bool) -> dict[str, Any]:
        if self._jwks is None or refresh:
            self._jwks = self._get_json(self.discovery()["jwks_uri"])
        return self._jwks

    def _identity(self, claims: dict[str, Any]) -> OidcIdentity:
        subject = str(claims["sub"])
        name = next((str(claims[k]) for k in ("preferred_username", "email", "upn") if claims.get(k)), subject)
        return OidcIdentity(self.settings.issuer, subject, name.lower(), str(claims.get("name") or name))

    def _tls(self) -> ssl.SSLContext | bool:
        """The provider's TLS trust: the given CA bundle, else the system's."""
        return ssl.create_default_context(cafile=str(self.settings.ca_file)) if self.settings.ca_file else True

    def _get_json(self, url: str) -> dict[str, Any]:
        import httpx

        try:
            response = httpx.get(url, timeout=10.0, verify=self._tls())
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UnreachableError(f"cannot read {url}: {type(error).__name__}") from None
        if not isinstance(document, dict):
            raise AuthError(f"{url} did not answer a JSON object")
        return document


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
