"""Paginated list calls through the `kubernetes` client, answering raw API JSON, with failures in our own terms.

Each list is read page by page (`limit` + `continue`) with `_preload_content=False`, so items arrive as the API's
JSON and go through the same adapter as a `--from` file (one mapping, no second model). A 410 Gone means the
continue token expired (the server keeps it five to fifteen minutes): the list is restarted once from the start,
which keeps it a consistent snapshot. 403 is `Forbidden` (the caller records a gap and carries on), 401 is an
AuthError, anything else that prevents an answer is an UnreachableError.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from regwarden.collect.kubernetes.fields import KubeObject
from regwarden.model.errors import AuthError, BadInputError, UnreachableError

ListCall = Callable[..., Any]
"""A `kubernetes` client list method, namespaced ones already bound to their namespace."""

_EXPIRED = 410
_RESTARTS = 1


class Forbidden(Exception):
    """The API answered 403 for this list: the identity may not read it."""


def list_items(call: ListCall, kind: str, *, page_size: int, timeout: float) -> list[KubeObject]:
    """Every item of one list, each with `kind` set (typed lists such as PodList leave it out)."""
    for attempt in range(_RESTARTS + 1):
        try:
            return [{**item, "kind": kind} for item in _pages(call, page_size, timeout)]
        except _ContinueExpired:
            if attempt == _RESTARTS:
                raise UnreachableError(f"listing {kind}s: the continue token kept expiring; retry later") from None
    raise AssertionError("unreachable")


class _ContinueExpired(Exception):
    pass


def _pages(call: ListCall, page_size: int, timeout: float) -> Iterator[KubeObject]:
    token: str | None = None
    while True:
        with api_errors(continued=token is not None):
            response = call(limit=page_size, _continue=token, _preload_content=False, _request_timeout=timeout)
            page = _json_page(response.data)
        yield from page["items"]
        token = page["metadata"].get("continue") or None
        if token is None:
            return


def _json_page(data: bytes) -> dict[str, Any]:
    try:
        page = json.loads(data)
    except ValueError:
        raise BadInputError("the Kubernetes API answered a list with something that is not JSON") from None
    if not isinstance(page, dict):
        raise BadInputError("the Kubernetes API answered a list with something that is not an object")
    items, metadata = page.get("items") or [], page.get("metadata") or {}
    if not isinstance(items, list) or not isinstance(metadata, dict):
        raise BadInputError("the Kubernetes API answered a list without items")
    return {"items": [item for item in items if isinstance(item, dict)], "metadata": metadata}


@contextmanager
def api_errors(*, continued: bool = False) -> Iterator[None]:
    """Translate the client's exceptions: 403 → Forbidden, 401 → AuthError, the rest → UnreachableError."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        yield
    except ApiException as exc:
        if exc.status == _EXPIRED and continued:
            raise _ContinueExpired from None
        raise _translated(exc.status, status_message(exc.body) or str(exc.reason)) from None
    except HTTPError as exc:
        cause = getattr(exc, "reason", None) or exc  # MaxRetryError wraps the last connection or TLS error
        raise UnreachableError(f"cannot reach the Kubernetes API server: {cause}") from None


def _translated(status: int | None, message: str) -> Exception:
    if status == 403:
        return Forbidden(message)
    if status == 401:
        return AuthError(f"the Kubernetes API server refused the credentials (401): {message}")
    if not status:  # the client reports TLS failures as status 0
        return UnreachableError(f"cannot talk to the Kubernetes API server: {message}")
    return UnreachableError(f"the Kubernetes API server answered {status}: {message}")


def status_message(body: object) -> str:
    """The `message` of a Kubernetes Status object (the body of every API error), or ""."""
    try:
        status = json.loads(body) if isinstance(body, str | bytes) else None
    except ValueError:
        return ""
    message = status.get("message") if isinstance(status, dict) else None
    return message if isinstance(message, str) else ""
