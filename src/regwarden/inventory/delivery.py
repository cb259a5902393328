"""The delivery policy: what an endpoint's answer means, when to try again, and how a request is signed.

Pure functions; service/notify.py does the I/O. The rules:
- 2xx: delivered. A Teams connector that answers 2xx with "HTTP error 429" in its body was throttled (Teams'
  documented quirk): retried like a 429.
- 408, 425, 429, every 5xx, and every transport failure (refused, reset, DNS, TLS, timeout) are transient: retried
  with exponential backoff (1 min, 2, 4, ... capped at 1 h) and jitter (each wait drawn from half to all of it),
  so many regwarden instances never retry in step. A `Retry-After` (seconds or an HTTP date) on any answer is
  honoured exactly instead, up to 6 h.
- Any other answer (3xx: redirects are never followed, a signed body must not be replayed elsewhere; 4xx: the
  endpoint refuses this request) gets PERMANENT_ATTEMPTS attempts in all, backoff between them, then fails. Not
  one: a receiver mid-deploy or a secret mid-rotation answers 401/404 for minutes, and an event is worth keeping.
- A delivery has `max_attempts` attempts in all (8 by default: one to two hours of trying); then it fails.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
RETRY_AFTER_CAP = timedelta(hours=6)
MIN_WAIT = timedelta(seconds=1)
PERMANENT_ATTEMPTS = 3
TRANSIENT_STATUSES = frozenset({408, 425, 429})
TEAMS_THROTTLED = "HTTP error 429"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    """Not delivered yet; pending until `next_attempt_at`."""
    FAILED = "failed"
    """Given up: attempts exhausted, or a refusal that retrying will not change."""
    SKIPPED = "skipped"
    """Settled without sending: the webhook's kinds or min_severity filter does not want the event."""


@dataclass(frozen=True)
class Verdict:
    """What one attempt's answer means, before counting attempts."""

    delivered: bool
    transient: bool
    detail: str
    """`HTTP 503: <start of the body>`, `timed out after 10 s`, ... (scrubbed of secrets by the caller)."""
    retry_after: timedelta | None = None


@dataclass(frozen=True)
class DeliveryAttempt:
    """One delivery handled in a pass: its outcome, attempts so far, and why."""

    event_id: int
    endpoint: str
    outcome: Outcome
    attempts: int
    detail: str
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery pass."""

    attempts: tuple[DeliveryAttempt, ...] = ()
    unconfigured: tuple[tuple[str, int], ...] = ()
    """(endpoint, pending deliveries) for endpoints the outbox names but the config no longer has: kept pending."""
    busy: bool = False
    """Another pass held the delivery lease, so this one did nothing."""

    def count(self, outcome: Outcome) -> int:
        return sum(1 for attempt in self.attempts if attempt.outcome is outcome)

    @property
    def failed(self) -> tuple[DeliveryAttempt, ...]:
        return tuple(attempt for attempt in self.attempts if attempt.outcome is Outcome.FAILED)


def judge_response(status: int, retry_after: str | None, body: str, now: datetime, *, teams: bool = False) -> Verdict:
    """The verdict on an HTTP answer (`body` only for the detail and Teams' throttling quirk)."""
    snippet = " ".join(body.split())[:200]
    detail = f"HTTP {status}" + (f": {snippet}" if snippet else "")
    wait = parse_retry_after(retry_after, now)
    if 200 <= status < 300:
        if teams and TEAMS_THROTTLED in body:
            return Verdict(False, True, detail, wait)
        return Verdict(True, False, f"HTTP {status}")
    transient = status in TRANSIENT_STATUSES or status >= 500
    if 300 <= status < 400:
        detail += " (redirects are not followed: point the webhook at the final URL)"
    return Verdict(False, transient, detail, wait)


def judge_failure(error: str) -> Verdict:
    """The verdict on a request that got no answer (refused, reset, timed out, TLS)."""
    return Verdict(False, True, error)


def next_step(
    verdict: Verdict, attempts: int, max_attempts: int, now: datetime, rng: random.Random
) -> tuple[Outcome, datetime | None]:
    """Delivered, failed for good, or the moment of the next attempt; `attempts` counts this one."""
    if verdict.delivered:
        return Outcome.DELIVERED, None
    limit = max_attempts if verdict.transient else min(max_attempts, PERMANENT_ATTEMPTS)
    if attempts >= limit:
        return Outcome.FAILED, None
    wait = min(verdict.retry_after, RETRY_AFTER_CAP) if verdict.retry_after is not None else backoff(attempts, rng)
    return Outcome.RETRY, now + max(wait, MIN_WAIT)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base·2^(n-1) capped, times a random factor in [0.5, 1]."""
    doublings = min(max(attempts - 1, 0), 16)  # far past the cap already; bounded so it cannot overflow
    ceiling = min(BACKOFF_BASE * (1 << doublings), BACKOFF_CAP)
    return ceiling * rng.uniform(0.5, 1.0)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After: 120` or `Retry-After: <HTTP date>` (RFC 9110 §10.2.3); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment - now, timedelta(0))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 keyed with the secret over `timestamp + "." + body`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
