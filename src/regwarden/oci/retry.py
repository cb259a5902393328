"""Talking to a registry over HTTP: retries, and turning its answers into bytes, streams or errors.

Retries use exponential backoff with jitter on 429, 5xx and connection errors. `Retry-After` (seconds or an
HTTP date) is honoured because registries use it to shed load; ignoring it gets a client rate-limited
harder. Attempts and the total time spent are both bounded so a dead registry fails fast.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import httpx

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError, UnreachableError
from regwarden.oci.auth import ForbiddenError, UnauthorizedError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK_SIZE = 1 << 20
RETRIABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class RegistryUnreachableError(UnreachableError):
    """The registry could not be reached, timed out, or kept failing after retries."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    """Seconds before the first retry; doubled for each further one."""
    max_delay: float = 10.0
    """Cap on any single wait, including a server's Retry-After."""
    total_timeout: float = 60.0
    """No retry is started when it would end after this many seconds since the first attempt."""

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Delay before retry number `attempt` (1-based): full jitter over an exponential ceiling."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + rng() * ceiling / 2


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date; None if unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def send_with_retry(
    send: Callable[[], httpx.Response],
    policy: RetryPolicy,
    url: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Response:
    """Call `send` until it answers something other than a retriable status, within `policy`'s bounds.

    The last response is returned even when retriable, so the caller can report the status it saw;
    a transport error on the last attempt becomes `RegistryUnreachableError` naming the URL.
    """
    started = clock()
    attempt = 1
    while True:
        try:
            response = send()
        except httpx.TransportError as exc:
            delay = policy.backoff(attempt)
            if not _may_retry(policy, attempt, started, delay, clock):
                raise RegistryUnreachableError(f"{url}: {_describe(exc)}") from exc
        else:
            if response.status_code not in RETRIABLE_STATUSES:
                return response
            delay = parse_retry_after(response.headers.get("Retry-After")) or policy.backoff(attempt)
            delay = min(delay, policy.max_delay)
            if not _may_retry(policy, attempt, started, delay, clock):
                return response
            response.close()
        sleep(delay)
        attempt += 1


def _may_retry(policy: RetryPolicy, attempt: int, started: float, delay: float, clock: Callable[[], float]) -> bool:
    return attempt < policy.max_attempts and clock() - started + delay <= policy.total_timeout


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def read_limited(response: httpx.Response, limit: int, what: str) -> bytes:
    """A streamed response body held in memory, refusing more than `limit` bytes (a hostile registry
    could otherwise send an endless manifest)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise IntegrityError(f"{what} is {declared} bytes, more than the {limit} allowed")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_bytes():
            total += len(chunk)
            if total > limit:
                raise IntegrityError(f"{what} is larger than the {limit} bytes allowed")
            chunks.append(chunk)
    except httpx.TransportError as exc:
        raise RegistryUnreachableError(f"{what}: download interrupted: {exc}") from exc
    return b"".join(chunks)


def registry_errors(response: httpx.Response) -> str:
    """The registry's `errors[]` (distribution spec) as `CODE: message` text, else the HTTP status."""
    try:
        response.read()
        body = response.json()
    except (ValueError, httpx.StreamError):
        return response.reason_phrase or f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return f"HTTP {response.status_code}"
    parts = []
    for error in errors:
        if isinstance(error, dict):
            parts.append(f"{error.get('code', '?')}: {error.get('message', '')}".strip())
    return "; ".join(parts) or f"HTTP {response.status_code}"


def raise_for_status(response: httpx.Response, what: str, not_found: type[NotFoundError]) -> None:
    """Turn a failed answer into the regwarden error a user can act on; `not_found` names what was missing."""
    status = response.status_code
    if status < 400:
        return
    detail = registry_errors(response) if response.request.method != "HEAD" else f"HTTP {status}"
    url = response.request.url
    if status == 401:
        raise UnauthorizedError(f"{what}: unauthorized at {url} ({detail}); check the registry credentials")
    if status == 403:
        raise ForbiddenError(f"{what}: access denied at {url} ({detail})")
    if status == 404:
        raise not_found(f"{what}: not found ({detail})")
    if status == 429 or status >= 500:
        raise RegistryUnreachableError(f"{what}: {url} kept answering HTTP {status} ({detail})")
    raise BadInputError(f"{what}: the registry rejected the request with HTTP {status} ({detail})")


class ResponseStream(io.RawIOBase):
    """A streaming HTTP response body as a binary file; transport failures become RegistryUnreachableError."""

    def __init__(self, response: httpx.Response, what: str) -> None:
        super().__init__()
        self._response = response
        self._chunks = response.iter_raw(CHUNK_SIZE)
        self._pending = b""
        self._what = what

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if not self._pending:
            try:
                self._pending = next(self._chunks, b"")
            except httpx.TransportError as exc:
                raise RegistryUnreachableError(f"{self._what}: download interrupted: {exc}") from exc
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()
