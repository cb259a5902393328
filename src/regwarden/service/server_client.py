"""`scan --record --server URL`: send the SBOM a scan built to a regwarden server (`POST /api/v1/scans`), where
it is catalogued and matched against the server's advisory store, instead of a database of the CI's own.

The token (scope `ingest`) travels in the Authorization header only, never in the URL. Failures keep their
meaning: 401/403 is an AuthError (exit 5), an unreachable server or a 5xx an UnreachableError (exit 4), any
other refusal a BadInputError (exit 3) with the server's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from regwarden.model.errors import AuthError, BadInputError, UnreachableError

if TYPE_CHECKING:
    import httpx

    from regwarden.model.sbom import Sbom


@dataclass(frozen=True)
class RecordedRemotely:
    digest: str
    new: bool


def send_scan(
    server: str,
    token: str,
    sbom: Sbom,
    target: str,
    *,
    repository: str | None = None,
    tag: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 60.0,
) -> RecordedRemotely:
    import httpx

    from regwarden.service.images import render_sbom

    if not token:
        raise AuthError("--server needs a token with the ingest scope: --token or REGWARDEN_TOKEN")
    params = {key: value for key, value in (("repo", repository), ("tag", tag), ("target", target)) if value}
    url = server.rstrip("/") + "/api/v1/scans"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        with httpx.Client(transport=transport, timeout=timeout) as client:
            response = client.post(url, params=params, content=render_sbom(sbom, "json"), headers=headers)
    except httpx.HTTPError as error:
        raise UnreachableError(f"cannot reach {server}: {type(error).__name__}: {error}") from None
    return _answer(server, response)


def _answer(server: str, response: httpx.Response) -> RecordedRemotely:
    detail = _detail(response)
    if response.status_code in (401, 403):
        raise AuthError(f"{server} refused the token ({response.status_code}): {detail}")
    if response.status_code >= 500:
        raise UnreachableError(f"{server} failed ({response.status_code}): {detail}")
    if response.status_code != 201:
        raise BadInputError(f"{server} refused the SBOM ({response.status_code}): {detail}")
    body = response.json()
    return RecordedRemotely(str(body["digest"]), bool(body["new"]))


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:500]
    except ValueError:
        return response.text[:200]
