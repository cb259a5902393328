"""Delivering the outbox to a real HTTP receiver on 127.0.0.1, from real SQLite and PostgreSQL stores.

Time is driven, never slept: each pass gets `now`, and a retry is due when `now` passes its next_attempt_at.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from regwarden.inventory.delivery import DeliveryReport, Outcome
from regwarden.inventory.notifications import Webhook, WebhookFormat
from regwarden.model.finding import Severity
from regwarden.service.notify import deliver_pending
from regwarden.store import Store, open_store
from regwarden.store.inventory_schema import deliveries
from tests.report.golden import GOLDEN_DIR
from tests.support.sample_events import T0, affected, resolved, store_events
from tests.support.webhook_receiver import Reply, WebhookReceiver, webhook_receiver

SECRET = "hmac-key-0123456789"
SLACK_PATH = "/services/T0001/B0001/SLACKTOKENsecret42?team=SECRETQUERY"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


def json_hook(receiver: WebhookReceiver, name: str = "bus", **fields: object) -> Webhook:
    return Webhook(name, f"{receiver.url}/hook/{name}", WebhookFormat.JSON, SECRET, **fields)  # type: ignore[arg-type]


def outbox(store: Store) -> dict[tuple[int, str], tuple[str, int, str | None]]:
    """(event, endpoint) → (status, attempts, last_error), straight from the table."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(deliveries)).all()
    return {(row.event_id, row.endpoint): (row.status, row.attempts, row.last_error) for row in rows}


def outcomes(report: DeliveryReport) -> list[tuple[int, str, Outcome, int]]:
    return [(a.event_id, a.endpoint, a.outcome, a.attempts) for a in report.attempts]


def test_a_signed_json_delivery_verifies_independently(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    report = deliver_pending(store, [json_hook(receiver)], now=T0)
    assert outcomes(report) == [(1, "bus", Outcome.DELIVERED, 1)]
    (request,) = receiver.received
    headers = {name.lower(): value for name, value in request.headers.items()}
    timestamp = headers["x-regwarden-timestamp"]
    assert timestamp == str(int(T0.timestamp()))
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert headers["x-regwarden-signature"] == f"sha256={expected}"
    assert headers["x-regwarden-event"] == "workload.affected"
    assert uuid.UUID(headers["x-regwarden-delivery"]).version == 5
    assert headers["content-type"] == "application/json"
    assert request.body == (GOLDEN_DIR / "notify.affected.json").read_bytes()
    assert outbox(store) == {(1, "bus"): ("delivered", 0, None)}
    assert store.events.recent()[0].deliveries == (("bus", "delivered", 0),)


def test_a_500_is_retried_after_backoff_with_the_same_delivery_id(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    receiver.answer("/hook/bus", Reply(500, body="upstream broke"), Reply(204))
    hook = json_hook(receiver)
    first = deliver_pending(store, [hook], now=T0)
    (retry,) = first.attempts
    assert (retry.outcome, retry.attempts, retry.detail) == (Outcome.RETRY, 1, "HTTP 500: upstream broke")
    assert retry.next_attempt_at is not None
    assert T0 + timedelta(seconds=30) <= retry.next_attempt_at <= T0 + timedelta(seconds=60)
    assert deliver_pending(store, [hook], now=T0 + timedelta(seconds=29)).attempts == ()
    second = deliver_pending(store, [hook], now=T0 + timedelta(minutes=1))
    assert outcomes(second) == [(1, "bus", Outcome.DELIVERED, 2)]
    ids = {request.headers["X-Regwarden-Delivery"] for request in receiver.received}
    stamps = [request.headers["X-Regwarden-Timestamp"] for request in receiver.received]
    assert (len(receiver.received), len(ids)) == (2, 1)
    assert stamps == [str(int(T0.timestamp())), str(int((T0 + timedelta(minutes=1)).timestamp()))]
    assert outbox(store) == {(1, "bus"): ("delivered", 1, None)}


def test_429_retry_after_is_honoured(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    receiver.answer("/hook/bus", Reply(429, {"Retry-After": "120"}, "slow down"))
    hook = json_hook(receiver)
    (throttled,) = deliver_pending(store, [hook], now=T0).attempts
    assert (throttled.outcome, throttled.next_attempt_at) == (Outcome.RETRY, T0 + timedelta(seconds=120))
    assert deliver_pending(store, [hook], now=T0 + timedelta(seconds=119)).attempts == ()
    assert outcomes(deliver_pending(store, [hook], now=T0 + timedelta(seconds=120))) == [
        (1, "bus", Outcome.DELIVERED, 2)
    ]


def test_a_timeout_is_retried(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    receiver.answer("/hook/bus", Reply(200, delay=5))
    (attempt,) = deliver_pending(store, [json_hook(receiver)], now=T0, timeout=0.3).attempts
    assert (attempt.outcome, attempt.attempts, attempt.detail) == (Outcome.RETRY, 1, "timed out after 0.3 s")
    assert outbox(store) == {(1, "bus"): ("pending", 1, "timed out after 0.3 s")}


def test_gives_up_after_max_attempts(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    receiver.answer("/hook/bus", *[Reply(503)] * 10)
    hook = json_hook(receiver)
    seen = [outcomes(deliver_pending(store, [hook], now=T0 + timedelta(hours=n), max_attempts=3)) for n in range(5)]
    assert seen == [
        [(1, "bus", Outcome.RETRY, 1)],
        [(1, "bus", Outcome.RETRY, 2)],
        [(1, "bus", Outcome.FAILED, 3)],
        [],
        [],
    ]
    assert len(receiver.received) == 3
    assert outbox(store) == {(1, "bus"): ("failed", 3, "HTTP 503")}


def test_a_refusal_fails_after_three_attempts_and_redirects_are_not_followed(
    store: Store, receiver: WebhookReceiver
) -> None:
    store_events(store, [affected()], ["bus"])
    receiver.answer("/hook/bus", Reply(404), Reply(401), Reply(302, {"Location": f"{receiver.url}/elsewhere"}))
    hook = json_hook(receiver)
    seen = [outcomes(deliver_pending(store, [hook], now=T0 + timedelta(hours=n))) for n in range(3)]
    assert [outcome for ((_, _, outcome, _),) in seen] == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    assert [request.path for request in receiver.received] == ["/hook/bus"] * 3
    status, attempts, error = outbox(store)[(1, "bus")]
    assert (status, attempts) == ("failed", 3)
    assert error is not None and error.startswith("HTTP 302 (redirects are not followed")


def test_one_pass_tries_a_failing_endpoint_once_and_the_others_fully(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected(vuln_id=f"CVE-2026-000{n}") for n in range(1, 4)], ["down", "bus"])
    receiver.answer("/hook/down", Reply(503), Reply(503))
    report = deliver_pending(store, [json_hook(receiver, "down"), json_hook(receiver, "bus")], now=T0)
    assert sorted(outcomes(report)) == [
        (1, "bus", Outcome.DELIVERED, 1),
        (1, "down", Outcome.RETRY, 1),
        (2, "bus", Outcome.DELIVERED, 1),
        (3, "bus", Outcome.DELIVERED, 1),
    ]
    assert outbox(store)[(2, "down")] == ("pending", 0, None)


def test_an_unconfigured_endpoint_keeps_its_deliveries_pending(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected(), resolved()], ["retired", "bus"])
    report = deliver_pending(store, [json_hook(receiver)], now=T0)
    assert outcomes(report) == [(1, "bus", Outcome.DELIVERED, 1), (2, "bus", Outcome.DELIVERED, 1)]
    assert report.unconfigured == (("retired", 2),)
    assert outbox(store)[(1, "retired")] == ("pending", 0, None)
    assert deliver_pending(store, [], now=T0 + timedelta(days=1)).unconfigured == (("retired", 2),)


def test_filtered_events_are_skipped_with_the_reason(store: Store, receiver: WebhookReceiver) -> None:
    slack = Webhook("slack", receiver.url + SLACK_PATH, WebhookFormat.SLACK, kinds=frozenset({"workload.affected"}))
    store_events(store, [affected(), resolved(), affected(vuln_id="CVE-2026-1111", severity="low")], ["slack"])
    high_only = Webhook(slack.name, slack.url, slack.format, None, slack.kinds, min_severity=Severity.HIGH)
    report = deliver_pending(store, [high_only], now=T0)
    assert outcomes(report) == [
        (1, "slack", Outcome.DELIVERED, 1),
        (2, "slack", Outcome.SKIPPED, 0),
        (3, "slack", Outcome.SKIPPED, 0),
    ]
    assert outbox(store)[(2, "slack")] == (
        "skipped",
        0,
        "kind workload.resolved is not in this webhook's kinds (workload.affected)",
    )
    assert outbox(store)[(3, "slack")][2] == "severity low is below this webhook's min_severity high"
    (request,) = receiver.received
    assert request.body == (GOLDEN_DIR / "notify.affected.slack.json").read_bytes()
    assert "X-Regwarden-Signature" not in request.headers


def test_teams_receives_the_golden_card(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["teams"])
    teams = Webhook("teams", f"{receiver.url}/workflows/abc?sig=SECRET", WebhookFormat.TEAMS)
    assert outcomes(deliver_pending(store, [teams], now=T0)) == [(1, "teams", Outcome.DELIVERED, 1)]
    assert receiver.received[0].body == (GOLDEN_DIR / "notify.affected.teams.json").read_bytes()


def test_no_secret_in_any_error_text(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["slack", "bus", "gone"])
    slack_url = receiver.url + SLACK_PATH
    # A receiver that echoes what it was sent: the URL, its path and the signature key must still not show.
    echo = f"no route for {slack_url} ({SLACK_PATH}) key={SECRET}"
    receiver.answer(SLACK_PATH, Reply(500, body=echo))
    receiver.answer("/hook/bus", Reply(400, body=echo))
    closed = _closed_port()
    webhooks = [
        Webhook("slack", slack_url, WebhookFormat.SLACK),
        json_hook(receiver),
        Webhook("gone", f"http://127.0.0.1:{closed}/x/TOKENPATH?k=QUERYSECRET", WebhookFormat.TEAMS),
    ]
    report = deliver_pending(store, webhooks, now=T0)
    assert {a.endpoint: a.outcome for a in report.attempts} == {
        "slack": Outcome.RETRY,
        "bus": Outcome.RETRY,
        "gone": Outcome.RETRY,
    }
    texts = [a.detail for a in report.attempts] + [str(row[2]) for row in outbox(store).values()]
    for secret in ("SLACKTOKENsecret42", "SECRETQUERY", SECRET, "TOKENPATH", "QUERYSECRET"):
        assert not [text for text in texts if secret in text], secret
    details = {a.endpoint: a.detail for a in report.attempts}
    assert details["slack"].startswith(f"HTTP 500: no route for {receiver.url}/… (…) key=…")
    assert details["gone"].startswith("ConnectError: ")


def test_a_running_pass_holds_the_lease(store: Store, receiver: WebhookReceiver) -> None:
    store_events(store, [affected()], ["bus"])
    assert store.leases.acquire("notify", "another-pass", timedelta(minutes=5), T0)
    assert deliver_pending(store, [json_hook(receiver)], now=T0) == DeliveryReport(busy=True)
    assert receiver.received == []
    assert outcomes(deliver_pending(store, [json_hook(receiver)], now=T0 + timedelta(minutes=6))) == [
        (1, "bus", Outcome.DELIVERED, 1)
    ]
    assert store.leases.holder("notify") is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
