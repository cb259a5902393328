"""`regwarden events [list]` and `regwarden events deliver`, on a real SQLite store and a real local receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from regwarden.store import open_store
from tests.cli.cli_support import invoke, invoke_json
from tests.support.sample_events import affected, resolved, store_events
from tests.support.webhook_receiver import Reply, WebhookReceiver, webhook_receiver

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Three events: an old exposure, its resolution, and a recent exposure of another vulnerability."""
    url = f"sqlite:///{tmp_path / 'events.db'}"
    with open_store(url) as store:
        store_events(store, [affected()], ["bus"], NOW - timedelta(hours=3))
        store_events(store, [resolved()], ["bus"], NOW - timedelta(hours=2))
        store_events(
            store, [affected(vuln_id="CVE-2026-4242", severity="critical")], ["bus"], NOW - timedelta(minutes=5)
        )
    return url


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


def config_file(tmp_path: Path, receiver: WebhookReceiver) -> Path:
    path = tmp_path / "regwarden.yaml"
    path.write_text(
        "notifications:\n  webhooks:\n"
        f"    - {{name: bus, url: '{receiver.url}/hook', format: json, secret_env: HOOK_SECRET}}\n",
        encoding="utf-8",
    )
    return path


def env(tmp_path: Path) -> dict[str, str]:
    return {"HOOK_SECRET": "cli-secret", "XDG_CONFIG_HOME": str(tmp_path / "no-config"), "REGWARDEN_CONFIG": ""}


def listed(document: dict[str, list[dict[str, object]]]) -> list[tuple[object, object]]:
    return [(event["id"], event["kind"]) for event in document["events"]]


def test_events_lists_newest_first_with_delivery_states(db: str) -> None:
    document = invoke_json(["events", "--db", db])
    assert listed(document) == [(3, "workload.affected"), (2, "workload.resolved"), (1, "workload.affected")]
    assert document["events"][0]["deliveries"] == [{"endpoint": "bus", "status": "pending", "attempts": 0}]
    assert document["events"][0]["payload"]["vulnerability"]["id"] == "CVE-2026-4242"
    assert invoke_json(["events", "list", "--db", db]) == document


def test_events_filters_by_kind_age_and_count(db: str) -> None:
    assert listed(invoke_json(["events", "list", "--db", db, "--kind", "workload.resolved"])) == [
        (2, "workload.resolved")
    ]
    assert listed(invoke_json(["events", "--db", db, "--since", "1h"])) == [(3, "workload.affected")]
    assert listed(invoke_json(["events", "--db", db, "--since", "150m", "--limit", "5"])) == [
        (3, "workload.affected"),
        (2, "workload.resolved"),
    ]
    assert listed(invoke_json(["events", "--db", db, "--limit", "1"])) == [(3, "workload.affected")]


def test_events_table_shows_summary_and_deliveries(db: str) -> None:
    outcome = invoke(["events", "--db", db, "--kind", "workload.affected", "--limit", "1"])
    assert outcome.code == 0, outcome.stderr
    assert "CVE-2026-4242 (critical) affects production" in outcome.stdout
    assert "bus: pending" in outcome.stdout


def test_bad_kind_and_duration_are_bad_input(db: str) -> None:
    bad_kind = invoke(["events", "--db", db, "--kind", "image.pushed"])
    assert bad_kind.code == 3
    assert "--kind: unknown kind 'image.pushed'" in bad_kind.stderr
    bad_since = invoke(["events", "list", "--db", db, "--since", "yesterday"])
    assert bad_since.code == 3
    assert "'yesterday' is not a duration" in bad_since.stderr


def test_deliver_sends_every_due_event_then_nothing(db: str, tmp_path: Path, receiver: WebhookReceiver) -> None:
    args = ["events", "deliver", "--db", db, "--config", str(config_file(tmp_path, receiver))]
    first = invoke([*args, "-o", "json"], env(tmp_path))
    assert first.code == 0, first.stderr
    report = json.loads(first.stdout)
    assert [(d["event_id"], d["outcome"]) for d in report["deliveries"]] == [
        (1, "delivered"),
        (2, "delivered"),
        (3, "delivered"),
    ]
    assert report["counts"] == {"delivered": 3, "retry": 0, "failed": 0, "skipped": 0}
    assert [json.loads(body)["id"] for body in receiver.bodies("/hook")] == [1, 2, 3]
    again = invoke(args, env(tmp_path))
    assert (again.code, again.stdout) == (0, "0 deliveries handled: 0 delivered, 0 retry, 0 failed, 0 skipped\n")
    states = {event["id"]: event["deliveries"] for event in invoke_json(["events", "--db", db])["events"]}
    assert states[1] == [{"endpoint": "bus", "status": "delivered", "attempts": 0}]


def test_deliver_exits_4_when_a_delivery_fails_for_good(db: str, tmp_path: Path, receiver: WebhookReceiver) -> None:
    receiver.answer("/hook", Reply(410, body="gone"))
    args = ["events", "deliver", "--db", db, "--config", str(config_file(tmp_path, receiver)), "--max-attempts", "1"]
    outcome = invoke(args, env(tmp_path))
    assert outcome.code == 4
    assert "1 delivery failed for good (bus)" in outcome.stderr
    assert "HTTP 410: gone" in outcome.stdout
    assert "cli-secret" not in outcome.stdout + outcome.stderr


def test_deliver_without_webhooks_keeps_everything_pending_and_warns(db: str, tmp_path: Path) -> None:
    outcome = invoke(["events", "deliver", "--db", db], env(tmp_path))
    assert outcome.code == 0
    assert outcome.stdout == (
        "0 deliveries handled: 0 delivered, 0 retry, 0 failed, 0 skipped\n"
        "endpoint bus is not configured: 3 deliveries kept pending\n"
    )
    assert "3 deliveries wait for bus, which is not configured" in outcome.stderr


def test_deliver_with_a_secret_missing_from_the_environment_is_bad_input(
    db: str, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    config = config_file(tmp_path, receiver)
    outcome = invoke(["events", "deliver", "--db", db, "--config", str(config)], {**env(tmp_path), "HOOK_SECRET": ""})
    assert outcome.code == 3
    assert "notifications.webhooks[0].secret_env: environment variable HOOK_SECRET is not set" in outcome.stderr
    assert receiver.received == []
