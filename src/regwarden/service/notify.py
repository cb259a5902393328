"""Deliver the outbox: POST each due event to its webhook, and record what happened (service of `events deliver`).

One pass, in this order:
1. Take the `notify` lease, so two passes (an overlapping cron, two workers) never send the same event twice; while
   another pass holds it, this one does nothing and says so (`busy`).
2. Due deliveries to configured webhooks, oldest event first. A webhook whose filter (kinds, min_severity) does not
   want the event settles it as `skipped`, with the reason. Otherwise the event is rendered in the webhook's format,
   a `json` body is signed (HMAC-SHA256 over `timestamp + "." + body`), and POSTed.
3. The answer is judged by inventory/delivery.py: delivered, retried later (backoff and jitter, Retry-After
   honoured), or failed for good. A webhook that did not take a delivery is not tried again in this pass: one
   endpoint that is down costs one timeout per pass, not one per event.
4. Deliveries to endpoints no longer configured stay pending (the configuration may come back) and are reported.

Secrets never leave the request: every error text is scrubbed of every configured webhook's URL, URL path and
query, and secret before it is stored or shown (a proxy may echo another webhook's URL), and webhooks are named by
`name` and `display_url` only.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden import __version__
from regwarden.inventory.delivery import (
    DeliveryAttempt,
    DeliveryReport,
    Outcome,
    Verdict,
    judge_failure,
    judge_response,
    next_step,
    signature,
)
from regwarden.inventory.notifications import Webhook, WebhookFormat
from regwarden.model.errors import BadInputError
from regwarden.model.inventory import Event
from regwarden.report import notify_json, notify_slack, notify_teams

if TYPE_CHECKING:
    import httpx

    from regwarden.store import Store
    from regwarden.store.events import DueDelivery

RENDERERS: Mapping[WebhookFormat, Callable[[Event], bytes]] = {
    WebhookFormat.JSON: notify_json.render,
    WebhookFormat.SLACK: notify_slack.render,
    WebhookFormat.TEAMS: notify_teams.render,
}
LEASE = "notify"
BATCH = 100
DELIVERY_NAMESPACE = uuid.UUID("6f1d3c2e-5a47-4b8e-9a0c-3e2f7d1b9c55")
"""Namespace of the `X-Regwarden-Delivery` ids: the same (event, endpoint) always gets the same id."""


def deliver_pending(
    store: Store,
    webhooks: Sequence[Webhook],
    *,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
    max_attempts: int = 8,
    timeout: float = 10.0,
) -> DeliveryReport:
    """One delivery pass over the outbox (see the module docstring); `now` fixes the clock (tests drive it)."""
    import httpx

    if max_attempts < 1 or timeout <= 0:
        raise BadInputError("max_attempts must be at least 1 and timeout positive")
    clock = _clock(now)
    lease = _Lease(store, timedelta(seconds=3 * timeout + 60), clock)
    if not lease.take():
        return DeliveryReport(busy=True)
    try:
        with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
            sender = _Sender(client, timeout, max_attempts, Scrubber(webhooks))
            attempts = _pass(store, {w.name: w for w in webhooks}, sender, clock, lease.take)
    finally:
        lease.release()
    configured = {w.name for w in webhooks}
    pending = store.events.pending_by_endpoint()
    unconfigured = tuple(sorted((name, count) for name, count in pending.items() if name not in configured))
    return DeliveryReport(tuple(attempts), unconfigured)


def _pass(
    store: Store,
    webhooks: Mapping[str, Webhook],
    sender: _Sender,
    clock: Callable[[], datetime],
    renew_lease: Callable[[], bool],
) -> list[DeliveryAttempt]:
    handled: list[DeliveryAttempt] = []
    active = set(webhooks)
    # Every delivery handled leaves the due set (settled, or retried later), and an endpoint that did not take
    # one leaves `active`, so the loop ends.
    while active and (batch := store.events.due(clock(), limit=BATCH, endpoints=active)):
        for due in batch:
            if due.endpoint not in active:
                continue
            if not renew_lease():
                return handled
            attempt = _deliver(store, webhooks[due.endpoint], due, sender, clock())
            handled.append(attempt)
            if attempt.outcome is not Outcome.DELIVERED and attempt.outcome is not Outcome.SKIPPED:
                active.discard(due.endpoint)
    return handled


def _deliver(store: Store, webhook: Webhook, due: DueDelivery, sender: _Sender, moment: datetime) -> DeliveryAttempt:
    event, events = due.event, store.events
    reason = webhook.skip_reason(event)
    if reason is not None:
        events.mark_skipped(event.id, webhook.name, reason)
        return DeliveryAttempt(event.id, webhook.name, Outcome.SKIPPED, due.attempts, reason)
    verdict = sender.send(webhook, due, moment)
    attempts = due.attempts + 1
    outcome, next_at = next_step(verdict, attempts, sender.max_attempts, moment, sender.rng)
    detail = sender.scrub(verdict.detail)
    if outcome is Outcome.DELIVERED:
        events.mark_delivered(event.id, webhook.name, moment)
    elif outcome is Outcome.FAILED:
        events.mark_failed(event.id, webhook.name, attempts, detail)
    else:
        assert next_at is not None
        events.mark_retry(event.id, webhook.name, attempts, next_at, detail)
    return DeliveryAttempt(event.id, webhook.name, outcome, attempts, detail, next_at)


def _clock(now: datetime | None) -> Callable[[], datetime]:
    if now is not None:
        fixed = now
        return lambda: fixed
    return lambda: datetime.now(UTC)


class _Lease:
    """The `notify` lease for this pass, renewed before each delivery so a long pass keeps it."""

    def __init__(self, store: Store, ttl: timedelta, clock: Callable[[], datetime]) -> None:
        self.store, self.ttl, self.clock = store, ttl, clock
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def take(self) -> bool:
        return self.store.leases.acquire(LEASE, self.owner, self.ttl, self.clock())

    def release(self) -> None:
        self.store.leases.release(LEASE, self.owner)


class _Sender:
    """Renders, signs and POSTs one delivery; never raises for what the network or the endpoint does."""

    def __init__(self, client: httpx.Client, timeout: float, max_attempts: int, scrub: Scrubber) -> None:
        self.client, self.timeout, self.max_attempts, self.scrub = client, timeout, max_attempts, scrub
        self.rng = random.Random()

    def send(self, webhook: Webhook, due: DueDelivery, moment: datetime) -> Verdict:
        import httpx

        body = RENDERERS[webhook.format](due.event)
        headers = request_headers(webhook, due.event, body, moment)
        try:
            response = self.client.post(webhook.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return judge_failure(f"timed out after {self.timeout:g} s")
        except httpx.HTTPError as error:
            return judge_failure(f"{type(error).__name__}: {error}")
        teams = webhook.format is WebhookFormat.TEAMS
        return judge_response(
            response.status_code, response.headers.get("Retry-After"), response.text, moment, teams=teams
        )


def request_headers(webhook: Webhook, event: Event, body: bytes, moment: datetime) -> dict[str, str]:
    """Content type, agent, event kind, the delivery id (stable across retries, for receivers to deduplicate),
    and for a signed webhook the timestamp and signature."""
    created = event.created_at.astimezone(UTC).isoformat()  # the same id whatever the session time zone
    delivery = uuid.uuid5(DELIVERY_NAMESPACE, f"{event.id}/{created}/{webhook.name}")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"regwarden/{__version__}",
        "X-Regwarden-Event": event.kind,
        "X-Regwarden-Delivery": str(delivery),
    }
    if webhook.secret is not None:
        timestamp = str(int(moment.timestamp()))
        headers["X-Regwarden-Timestamp"] = timestamp
        headers["X-Regwarden-Signature"] = signature(webhook.secret, timestamp, body)
    return headers


class Scrubber:
    """Takes the webhooks' secrets out of a text: whole URLs become their display form, then URL paths (of Slack
    and Teams URLs, which are secrets) and queries, path-and-query pairs and HMAC keys become `…`. Longest first,
    so no secret survives in part."""

    def __init__(self, webhooks: Sequence[Webhook]) -> None:
        from urllib.parse import urlsplit

        replacements: dict[str, str] = {}
        for webhook in webhooks:
            parts = urlsplit(webhook.url)
            hidden = [parts.query, parts.path + "?" + parts.query if parts.query else "", webhook.secret or ""]
            if webhook.format is not WebhookFormat.JSON:
                hidden.append(parts.path)
            replacements.update({secret: "…" for secret in hidden if len(secret) > 1})
            replacements[webhook.url] = webhook.display_url
        self._replacements = sorted(replacements.items(), key=lambda pair: len(pair[0]), reverse=True)

    def __call__(self, text: str) -> str:
        for secret, shown in self._replacements:
            text = text.replace(secret, shown)
        return text
