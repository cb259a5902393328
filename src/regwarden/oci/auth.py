"""Registry authentication: anonymous, basic, and the bearer-token challenge flow of the distribution spec.

The client sends a request with whatever authorization it already holds for the scope; on 401 it hands the
`WWW-Authenticate` challenge to `RegistryAuth.on_unauthorized`, which obtains a new token (through a
`TokenFetcher`: the token realm, or ACR's AAD exchange in `acr.py`) so the client can retry once.
Tokens are cached per scope until shortly before they expire.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from regwarden.model.errors import AuthError, UnreachableError
from regwarden.oci.credentials import Credentials

DEFAULT_TOKEN_LIFETIME = 60.0
"""Seconds a token is assumed valid when the server says nothing (the docker token spec's default)."""
EXPIRY_SKEW = 5.0

_PARAM = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?')


class UnauthorizedError(AuthError):
    """The registry (or its token server) refused the credentials, or none were given and they are needed."""


class ForbiddenError(AuthError):
    """The credentials were accepted but do not grant the requested action."""


class TokenServerUnreachableError(UnreachableError):
    """The token endpoint named by the registry's challenge could not be reached or failed."""


@dataclass(frozen=True)
class Challenge:
    """One parsed `WWW-Authenticate` challenge, e.g. `Bearer realm="…",service="…",scope="…"`."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str | None:
        return self.params.get("realm")


def parse_www_authenticate(header: str | None) -> Challenge | None:
    """Parse the first challenge of a `WWW-Authenticate` header; None when absent or unreadable."""
    if not header or not header.strip():
        return None
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if not match or match.end() == position:
            break
        quoted, bare = match.group(2), match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        position = match.end()
    return Challenge(scheme.lower(), params)


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float
    """Wall-clock time (time.time()) after which the token must not be used."""


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read WITHOUT verifying the signature (only to know when to refresh)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def token_expiry(value: str, expires_in: object, now: float) -> float:
    """When to stop using a token: `expires_in`, else the JWT `exp`, else the spec's 60 s default."""
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) and expires_in > 0:
        lifetime = float(expires_in)
    else:
        exp = jwt_expiry(value)
        lifetime = exp - now if exp is not None else DEFAULT_TOKEN_LIFETIME
    # Refresh a little early, but never throw away more than half of a short-lived token.
    return now + lifetime - min(EXPIRY_SKEW, max(lifetime, 0.0) / 2)


def raise_for_token_response(response: httpx.Response, what: str) -> None:
    """Map a token endpoint's failure to the right error, with the server's own words."""
    if response.status_code in (401, 403):
        raise UnauthorizedError(f"{what} at {response.request.url} refused the credentials: {response.text[:300]}")
    if response.status_code >= 400:
        raise TokenServerUnreachableError(f"{what} at {response.request.url} answered HTTP {response.status_code}")


def read_json_object(response: httpx.Response, what: str) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError as exc:
        raise AuthError(f"{what} at {response.request.url} did not answer JSON") from exc
    if not isinstance(body, dict):
        raise AuthError(f"{what} at {response.request.url} did not answer a JSON object")
    return body


class TokenFetcher(Protocol):
    """Obtains a bearer token for a scope, given the registry's challenge."""

    def fetch(self, http: httpx.Client, challenge: Challenge, scope: str | None) -> Token: ...


class RealmTokenFetcher:
    """The docker token flow: GET the realm (basic creds if any), or POST an OAuth2 refresh token."""

    def __init__(self, credentials: Credentials | None, clock: Callable[[], float] = time.time) -> None:
        self._credentials = credentials
        self._clock = clock

    def fetch(self, http: httpx.Client, challenge: Challenge, scope: str | None) -> Token:
        realm = challenge.realm
        if not realm:
            raise AuthError("the registry asked for a bearer token but named no realm")
        try:
            response = self._request(http, realm, challenge.params.get("service"), scope)
        except httpx.TransportError as exc:
            raise TokenServerUnreachableError(f"token server {realm} unreachable: {exc}") from exc
        raise_for_token_response(response, "token server")
        body = read_json_object(response, "token server")
        value = body.get("token") or body.get("access_token")
        if not isinstance(value, str) or not value:
            raise AuthError(f"token server {realm} answered without a token")
        return Token(value, token_expiry(value, body.get("expires_in"), self._clock()))

    def _request(self, http: httpx.Client, realm: str, service: str | None, scope: str | None) -> httpx.Response:
        creds = self._credentials
        # A challenge may name several scopes separated by spaces (a cross-repository mount needs push on one
        # repository and pull on another): the token spec sends each as its own `scope` parameter.
        scopes = (scope or "").split()
        if creds is not None and creds.identity_token:
            form: dict[str, str | list[str]] = {
                "grant_type": "refresh_token",
                "refresh_token": creds.identity_token,
                "client_id": "regwarden",
            }
            form |= {k: v for k, v in (("service", service), ("scope", scopes)) if v}
            return http.post(realm, data=form)
        params: dict[str, str | list[str]] = {k: v for k, v in (("service", service), ("scope", scopes)) if v}
        auth = (creds.username or "", creds.password or "") if creds is not None and creds.has_basic else None
        return http.get(realm, params=params, auth=auth)


class RegistryAuth:
    """Holds the credentials for one registry and the bearer tokens obtained with them, per scope."""

    def __init__(
        self,
        credentials: Credentials | None = None,
        fetcher: TokenFetcher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.fetcher: TokenFetcher = fetcher if fetcher is not None else RealmTokenFetcher(credentials, clock)
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._use_basic = False
        self._lock = threading.Lock()

    def authorization(self, scope: str) -> str | None:
        """The `Authorization` header value to send for `scope`, if any is known to be wanted."""
        with self._lock:
            token = self._tokens.get(scope)
            if token is not None and token.expires_at > self._clock():
                return f"Bearer {token.value}"
        if self._use_basic and self.credentials is not None and self.credentials.has_basic:
            return _basic_header(self.credentials)
        return None

    def on_unauthorized(self, http: httpx.Client, header: str | None, scope: str) -> bool:
        """React to a 401: obtain fresh authorization for `scope`. True when a retry is worth making."""
        challenge = parse_www_authenticate(header)
        if challenge is None:
            return False
        if challenge.scheme == "basic":
            if self._use_basic or self.credentials is None or not self.credentials.has_basic:
                return False
            self._use_basic = True
            return True
        if challenge.scheme != "bearer":
            raise AuthError(f"unsupported authentication scheme {challenge.scheme!r}")
        token = self.fetcher.fetch(http, challenge, challenge.params.get("scope") or scope)
        with self._lock:
            self._tokens[scope] = token
        return True


def _basic_header(credentials: Credentials) -> str:
    raw = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")
