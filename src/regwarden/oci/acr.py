"""Azure Container Registry sign-in: trade an Azure AD token for ACR tokens, as `az acr login` does.

`POST /oauth2/exchange` turns an AAD access token into an ACR refresh token; `POST /oauth2/token` turns the
refresh token into an access token for one scope. ACR's tokens carry no `expires_in`, so their JWT `exp` claim
(read, not verified: ACR verifies them) says when to refresh. Used automatically for `*.azurecr.io` and the
sovereign-cloud suffixes when the user gave no other credentials.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from regwarden.oci.auth import (
    Challenge,
    RegistryAuth,
    Token,
    TokenServerUnreachableError,
    UnauthorizedError,
    raise_for_token_response,
    read_json_object,
    token_expiry,
)
from regwarden.oci.credentials import Credentials

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

# AAD audience per cloud: Azure Resource Manager's, which every ACR accepts for the exchange.
ACR_CLOUD_SCOPES = {
    ".azurecr.io": "https://management.azure.com/.default",
    ".azurecr.cn": "https://management.chinacloudapi.cn/.default",
    ".azurecr.us": "https://management.usgovcloudapi.net/.default",
}


def acr_suffix(registry: str) -> str | None:
    """The ACR domain suffix of `registry` (host[:port]), or None if it is not an ACR."""
    host = registry.rsplit(":", 1)[0].lower()
    return next((suffix for suffix in ACR_CLOUD_SCOPES if host.endswith(suffix)), None)


class AcrTokenFetcher:
    """A `TokenFetcher` for ACR's challenge, backed by any azure-core `TokenCredential`."""

    def __init__(
        self,
        credential: TokenCredential | None = None,
        *,
        aad_scope: str = ACR_CLOUD_SCOPES[".azurecr.io"],
        tenant: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self.aad_scope = aad_scope
        self._tenant = tenant
        self._clock = clock
        self._refresh: dict[str, Token] = {}
        self._lock = threading.Lock()

    def fetch(self, http: httpx.Client, challenge: Challenge, scope: str | None) -> Token:
        realm, service = challenge.realm, challenge.params.get("service")
        if not realm or not service:
            raise UnauthorizedError("the ACR challenge named no realm or service; is this really an ACR?")
        refresh = self._refresh_token(http, realm, service, renew=False)
        try:
            return self._access_token(http, realm, service, scope, refresh)
        except UnauthorizedError:
            # The refresh token was revoked or expired early: exchange again, once.
            refresh = self._refresh_token(http, realm, service, renew=True)
            return self._access_token(http, realm, service, scope, refresh)

    def _refresh_token(self, http: httpx.Client, realm: str, service: str, *, renew: bool) -> str:
        with self._lock:
            cached = self._refresh.get(service)
            if cached is not None and not renew and cached.expires_at > self._clock():
                return cached.value
            form = {"grant_type": "access_token", "service": service, "access_token": self._aad_token()}
            if self._tenant:
                form["tenant"] = self._tenant
            body = _post(http, str(httpx.URL(realm).join("/oauth2/exchange")), form, "ACR token exchange")
            value = body.get("refresh_token")
            if not isinstance(value, str) or not value:
                raise UnauthorizedError(f"ACR token exchange for {service} answered without a refresh_token")
            self._refresh[service] = Token(value, token_expiry(value, None, self._clock()))
            return value

    def _access_token(self, http: httpx.Client, realm: str, service: str, scope: str | None, refresh: str) -> Token:
        form = {"grant_type": "refresh_token", "service": service, "refresh_token": refresh}
        if scope:
            form["scope"] = scope
        body = _post(http, realm, form, "ACR token endpoint")
        value = body.get("access_token")
        if not isinstance(value, str) or not value:
            raise UnauthorizedError(f"ACR token endpoint for {service} answered without an access_token")
        return Token(value, token_expiry(value, None, self._clock()))

    def _aad_token(self) -> str:
        if self._credential is None:
            # Created on first use, never at import: it probes the environment and may be slow.
            from azure.identity import DefaultAzureCredential

            self._credential = DefaultAzureCredential()
        try:
            return self._credential.get_token(self.aad_scope).token
        except Exception as exc:  # azure-identity raises many types; all mean "could not sign in"
            raise UnauthorizedError(f"could not get an Azure AD token for ACR: {exc}") from exc


def _post(http: httpx.Client, url: str, form: dict[str, str], what: str) -> dict[str, object]:
    try:
        response = http.post(url, data=form)
    except httpx.TransportError as exc:
        raise TokenServerUnreachableError(f"{what} {url} unreachable: {exc}") from exc
    raise_for_token_response(response, what)
    return read_json_object(response, what)


def auth_for_registry(
    registry: str,
    credentials: Credentials | None,
    *,
    azure_credential: TokenCredential | None = None,
    tenant: str | None = None,
) -> RegistryAuth:
    """The authentication to use: the given credentials, else Azure AD for an ACR, else anonymous."""
    suffix = acr_suffix(registry)
    if credentials is None and (suffix is not None or azure_credential is not None):
        scope = ACR_CLOUD_SCOPES[suffix or ".azurecr.io"]
        return RegistryAuth(None, AcrTokenFetcher(azure_credential, aad_scope=scope, tenant=tenant))
    return RegistryAuth(credentials)
