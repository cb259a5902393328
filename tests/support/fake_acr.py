"""A local HTTPS stand-in for Azure Container Registry's metadata API and token flow, as documented.

ACR cannot run here, so this server speaks its wire format: the `/acr/v1/_catalog`, `/acr/v1/{repo}/_tags` and
`/acr/v1/{repo}/_manifests` JSON with `n` / `last` / `orderby` and `Link: <…>; rel="next"` paging, and the token
flow (`POST /oauth2/exchange` for an AAD token, `POST /oauth2/token` for a refresh token, a `WWW-Authenticate`
challenge naming the scope). Tests drive it through the real RegistryClient and change its state to provoke
failures: `fail_next` answers the next metadata requests with given statuses, `expire_access_tokens()` makes
every issued token stale on the server side while the client still believes in it.

Its content is a readable JSON file: `{"repositories": {REPO: {"manifests": [...], "tags": [...]}}}` with the
entries in ACR's documented shape.

`PATCH /acr/v1/{repo}/_manifests/{digest}` sets a manifest's changeable attributes (scope `metadata_write`), the
quarantine ones included (`quarantineState`, `quarantineDetails`), answering the manifest's attributes; each
accepted body is kept in `patches`. With `upstream` (a real registry), `/v2/` requests are authorized with ACR's
tokens (scope `repository:{repo}:pull`) and served by it, so images can be read "from the ACR".

Deletes and tag attributes, as ACR does them: `DELETE /v2/{repo}/manifests/{digest}` (scope `delete`) is refused
with 405 `REGISTRY_DISALLOWED_OPERATION` while the manifest is delete- or write-locked, else forwarded to `upstream`
and, when it deleted, the manifest and its tags leave the listings. `PATCH /acr/v1/{repo}/_tags/{tag}` sets a tag's
changeable attributes (`metadata_write`); `DELETE /acr/v1/{repo}/_tags/{tag}` removes one tag (`delete`, 202), also
refused while the tag is locked. `deletes` records each accepted delete.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from azure.core.credentials import AccessToken

from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, SelfSignedCert, json_reply, proxy_to

SERVICE = "fake.azurecr.io"
AAD_TOKEN = "aad-access-token-for-fake-acr"
DEFAULT_PAGE_SIZE = 100
# ACR's manifest changeable attributes and their JSON types (data-plane API `ManifestChangeableAttributes`).
CHANGEABLE_ATTRIBUTES = {
    "deleteEnabled": bool,
    "writeEnabled": bool,
    "listEnabled": bool,
    "readEnabled": bool,
    "quarantineState": str,
    "quarantineDetails": str,
}


class FakeAadCredential:
    """Stands in for DefaultAzureCredential (azure-core's TokenCredential protocol); counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(AAD_TOKEN, int(time.time()) + 3600)


def fake_jwt(claims: dict[str, object]) -> str:
    """A JWT-shaped token (unsigned: ACR verifies its own tokens, the client only reads `exp`)."""

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class FakeAcr:
    """State of the fake registry; tests read `calls` and change the rest."""

    content: dict[str, dict[str, list[dict[str, Any]]]]
    host: str = ""
    access_lifetime: int = 3600
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: dict[str, str] = field(default_factory=dict)
    """access token -> the scope it grants"""
    fail_next: list[int] = field(default_factory=list)
    """Statuses to answer the next metadata requests with, before serving normally again."""
    expire_tokens_after: int | None = None
    """After serving this many metadata pages, every access token goes stale once (a mid-listing expiry)."""
    calls: list[str] = field(default_factory=list)
    """`METHOD path?query` of every request, in order."""
    upstream: RunningRegistry | None = None
    """A real registry serving `/v2/` behind the fake's token flow."""
    patches: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """(repository, digest or tag, body) of every accepted PATCH of manifest or tag attributes."""
    deletes: list[tuple[str, str]] = field(default_factory=list)
    """(repository, digest or tag) of every accepted delete of a manifest or a tag."""
    _ids: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_file(cls, path: Path) -> FakeAcr:
        return cls(json.loads(path.read_text(encoding="utf-8"))["repositories"])

    def issue_refresh_token(self) -> str:
        """A refresh token the fake accepts, as `az acr login --expose-token` would hand out."""
        token = fake_jwt({"exp": int(time.time()) + 3 * 3600, "jti": f"refresh-{next(self._ids)}"})
        self.refresh_tokens.add(token)
        return token

    def expire_access_tokens(self) -> None:
        self.access_tokens.clear()

    def answer(self, request: Request) -> Reply:
        with self._lock:
            self.calls.append(f"{request.method} {request.path}")
            url = urlsplit(request.path)
            if url.path == "/oauth2/exchange":
                return self._exchange(_form(request))
            if url.path == "/oauth2/token":
                return self._token(_form(request))
            if url.path.startswith("/v2/") and self.upstream is not None:
                return self._registry(request, url.path)
            if request.method in ("PATCH", "DELETE") and "/_tags/" in url.path:
                return self._change_tag(request, url.path)
            if request.method == "PATCH":
                return self._patch_manifest(request, url.path)
            return self._metadata(request, url.path, {k: v[0] for k, v in parse_qs(url.query).items()})

    # -- token flow ----------------------------------------------------------------------------------------

    def _exchange(self, form: dict[str, str]) -> Reply:
        if form.get("grant_type") != "access_token" or form.get("access_token") != AAD_TOKEN:
            return _error(401, "UNAUTHORIZED", "the AAD token was not accepted")
        return json_reply(200, {"refresh_token": self.issue_refresh_token()})

    def _token(self, form: dict[str, str]) -> Reply:
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return _error(401, "UNAUTHORIZED", "the refresh token was not accepted")
        if form.get("service") != SERVICE:
            return _error(400, "UNSUPPORTED", f"unknown service {form.get('service')!r}")
        token = fake_jwt({"exp": int(time.time()) + self.access_lifetime, "jti": f"access-{next(self._ids)}"})
        self.access_tokens[token] = form.get("scope", "")
        return json_reply(200, {"access_token": token})

    # -- /acr/v1 -------------------------------------------------------------------------------------------

    def _metadata(self, request: Request, path: str, query: dict[str, str]) -> Reply:
        route = _route(path)
        if route is None:
            return _error(404, "NAME_UNKNOWN", f"no such endpoint {path}")
        scope, repo, endpoint = route
        denied = self._denied(request, scope)
        if denied is not None:
            return denied
        if self.fail_next:
            return _error(self.fail_next.pop(0), "UNAVAILABLE", "the service is busy")
        if repo is not None and repo not in self.content:
            return _error(404, "NAME_UNKNOWN", f"repository {repo} is not known to registry")
        if self.expire_tokens_after is not None:
            self.expire_tokens_after -= 1
            if self.expire_tokens_after == 0:
                self.expire_tokens_after = None
                self.expire_access_tokens()
        return self._page(path, repo, endpoint, query)

    def _denied(self, request: Request, scope: str) -> Reply | None:
        """The 401 challenge for `scope`, unless the request carries an access token issued for it."""
        authorization = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.access_tokens.get(authorization) == scope:
            return None
        challenge = f'Bearer realm="https://{self.host}/oauth2/token",service="{SERVICE}",scope="{scope}"'
        return _error(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": challenge})

    def _patch_manifest(self, request: Request, path: str) -> Reply:
        repo, _, digest = path.removeprefix("/acr/v1/").partition("/_manifests/")
        if not path.startswith("/acr/v1/") or not repo or not digest:
            return _error(404, "NAME_UNKNOWN", f"no such endpoint {path}")
        denied = self._denied(request, f"repository:{repo}:metadata_write")
        if denied is not None:
            return denied
        if self.fail_next:
            return _error(self.fail_next.pop(0), "UNAVAILABLE", "the service is busy")
        entry = next((m for m in self.content.get(repo, {}).get("manifests", []) if m["digest"] == digest), None)
        if entry is None:
            return _error(404, "MANIFEST_UNKNOWN", f"manifest {digest} is not known to registry")
        body = json.loads(request.body or b"null")
        problem = _attributes_problem(body)
        if problem is not None:
            return _error(400, "INVALID_REQUEST", problem)
        entry.setdefault("changeableAttributes", {}).update(body)
        self.patches.append((repo, digest, body))
        return json_reply(200, {"registry": SERVICE, "imageName": repo, "manifest": entry})

    def _registry(self, request: Request, path: str) -> Reply:
        repo = _v2_repository(path)
        if repo is not None:
            action = "delete" if request.method == "DELETE" else "pull"
            denied = self._denied(request, f"repository:{repo}:{action}")
            if denied is not None:
                return denied
        assert self.upstream is not None
        if repo is not None and request.method == "DELETE" and "/manifests/" in path:
            return self._delete_manifest(request, repo, path.rsplit("/", 1)[1])
        return proxy_to(self.upstream, request)

    def _delete_manifest(self, request: Request, repo: str, digest: str) -> Reply:
        entries = self.content.get(repo, {}).get("manifests", [])
        entry = next((m for m in entries if m["digest"] == digest), None)
        if entry is not None and _locked(entry):
            return _error(405, "REGISTRY_DISALLOWED_OPERATION", "The operation is disallowed on this image.")
        assert self.upstream is not None
        reply = proxy_to(self.upstream, request)
        if reply.status == 202:
            self.deletes.append((repo, digest))
            self.content[repo]["manifests"] = [m for m in entries if m["digest"] != digest]
            tags = self.content[repo].get("tags", [])
            self.content[repo]["tags"] = [t for t in tags if t["digest"] != digest]
        return reply

    def _change_tag(self, request: Request, path: str) -> Reply:
        repo, _, tag = path.removeprefix("/acr/v1/").partition("/_tags/")
        action = "metadata_write" if request.method == "PATCH" else "delete"
        denied = self._denied(request, f"repository:{repo}:{action}")
        if denied is not None:
            return denied
        tags = self.content.get(repo, {}).get("tags", [])
        entry = next((t for t in tags if t["name"] == tag), None)
        if entry is None:
            return _error(404, "TAG_UNKNOWN", f"tag {tag} is not known to registry")
        if request.method == "PATCH":
            body = json.loads(request.body or b"null")
            problem = _attributes_problem(body)
            if problem is not None:
                return _error(400, "INVALID_REQUEST", problem)
            entry.setdefault("changeableAttributes", {}).update(body)
            self.patches.append((repo, tag, body))
            return json_reply(200, {"registry": SERVICE, "imageName": repo, "tag": entry})
        if _locked(entry):
            return _error(405, "REGISTRY_DISALLOWED_OPERATION", "The operation is disallowed on this image.")
        self.deletes.append((repo, tag))
        self.content[repo]["tags"] = [t for t in tags if t["name"] != tag]
        for manifest in self.content[repo].get("manifests", []):
            manifest["tags"] = [name for name in manifest.get("tags") or [] if name != tag]
        return Reply(202)

    def _page(self, path: str, repo: str | None, endpoint: str, query: dict[str, str]) -> Reply:
        size = int(query.get("n", DEFAULT_PAGE_SIZE))
        order = query.get("orderby", "")
        items, key = self._items(repo, endpoint, order)
        names = [_item_key(item) for item in items]
        start = names.index(query["last"]) + 1 if query.get("last") in names else 0
        page = items[start : start + size]
        headers: dict[str, str] = {}
        if start + size < len(items):
            following = {"last": _item_key(page[-1]), "n": str(size), "orderby": order}
            headers["Link"] = f'<{path}?{urlencode(following)}>; rel="next"'
        body: dict[str, Any] = {key: page}
        if repo is not None:
            body = {"registry": SERVICE, "imageName": repo, **body}
        return json_reply(200, body, headers)

    def _items(self, repo: str | None, endpoint: str, order: str) -> tuple[list[Any], str]:
        if repo is None:
            return sorted(self.content), "repositories"
        key = endpoint.removeprefix("_")
        items = list(self.content[repo].get(key, []))
        if order in ("timedesc", "timeasc"):
            items.sort(key=lambda item: item["lastUpdateTime"], reverse=order == "timedesc")
        else:
            items.sort(key=_item_key)
        return items, key


def _route(path: str) -> tuple[str, str | None, str] | None:
    """(scope, repository or None, endpoint) for a metadata path; None when it is not one."""
    if path == "/acr/v1/_catalog":
        return "registry:catalog:*", None, "_catalog"
    repo, _, endpoint = path.removeprefix("/acr/v1/").rpartition("/")
    if not path.startswith("/acr/v1/") or not repo or endpoint not in ("_tags", "_manifests"):
        return None
    return f"repository:{repo}:metadata_read", repo, endpoint


def _attributes_problem(body: object) -> str | None:
    if not isinstance(body, dict) or not body:
        return "the body must be a JSON object of changeable attributes"
    for key, value in body.items():
        expected = CHANGEABLE_ATTRIBUTES.get(key)
        if expected is None:
            return f"{key!r} is not a changeable attribute"
        if not isinstance(value, expected):
            return f"{key} must be a {expected.__name__}"
    if body.get("quarantineState", "Passed") not in ("Passed", "Failed"):
        return "quarantineState must be Passed or Failed"
    return None


def _locked(entry: dict[str, Any]) -> bool:
    attributes = entry.get("changeableAttributes") or {}
    return attributes.get("deleteEnabled") is False or attributes.get("writeEnabled") is False


def _v2_repository(path: str) -> str | None:
    """The repository a `/v2/{repo}/manifests|blobs|tags/…` path names; None for `/v2/` itself."""
    for marker in ("/manifests/", "/blobs/", "/tags/"):
        if marker in path:
            return path.removeprefix("/v2/").split(marker, 1)[0]
    return None


def _item_key(item: Any) -> str:
    """What `last` names: the repository name, the tag name, or the manifest digest."""
    if isinstance(item, str):
        return item
    return str(item.get("name") or item["digest"])


def _form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return json_reply(status, {"errors": [{"code": code, "message": message}]}, headers)


class FakeAcrServer:
    """One HTTPS server for many tests: `use(fake)` swaps the registry it answers as (starting a server per test
    would cost its shutdown poll each time). Use as a context manager."""

    def __init__(self, tls: SelfSignedCert) -> None:
        self._fake: FakeAcr | None = None
        self._server = LocalServer(self._answer, tls=tls)

    def use(self, fake: FakeAcr) -> FakeAcr:
        fake.host = self._server.host
        self._fake = fake
        return fake

    def _answer(self, request: Request) -> Reply:
        if self._fake is None:
            return _error(503, "UNAVAILABLE", "no fake registry in use")
        return self._fake.answer(request)

    def __enter__(self) -> FakeAcrServer:
        self._server.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.__exit__(*exc_info)
