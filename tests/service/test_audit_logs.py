"""`logs analyze` end to end on real SQLite and PostgreSQL stores: findings stored once with `audit.finding` events
in the outbox, delivered unchanged by the notify service to a real local webhook receiver; running digests from
the inventory; nothing usable is exit 8, never "nothing found"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from regwarden.inventory.delivery import Outcome
from regwarden.inventory.notifications import Webhook, WebhookFormat
from regwarden.model.audit import AuditTable
from regwarden.model.errors import NoDataError
from regwarden.model.workload import ClusterSnapshot, Environment, EnvironmentDecision, Workload
from regwarden.service.audit_logs import LogsRequest, WorkspaceAccess, analyze_logs
from regwarden.service.notify import deliver_pending
from regwarden.service.settings import load_settings
from regwarden.store import open_store
from regwarden.store.inventory_schema import deliveries
from tests.collect.azurelogs.fake_log_analytics import FakeCredential, serve, table
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

DATA = Path(__file__).parents[1] / "collect" / "azurelogs" / "testdata"
SECRET = "audit-hook-secret"
DIGEST = "sha256:" + "c" * 64
NOW = datetime(2024, 5, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as running:
        yield running


def config_file(tmp_path: Path, receiver_url: str = "http://127.0.0.1:9/unused") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "notifications:\n"
        "  webhooks:\n"
        f"    - {{name: bus, url: '{receiver_url}/hook/bus', secret_env: AUDIT_HOOK_SECRET}}\n"
        f"    - {{name: pager, url: '{receiver_url}/hook/pager', secret_env: AUDIT_HOOK_SECRET,\n"
        "        min_severity: critical}\n"
        "logs:\n"
        "  mass_delete: {count: 3, within: 10m}\n"
    )
    return path


def test_findings_are_stored_once_with_their_events(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_HOOK_SECRET", SECRET)
    request = LogsRequest(
        paths=(DATA / "la-login.json", DATA / "la-activity.json"), config_file=config_file(tmp_path), db=db_url
    )
    first = analyze_logs(request, now=NOW)
    assert [f.detection.id for f in first.analysis.findings] == ["RW-LOG-001", "RW-LOG-008"]
    assert first.recorded is not None and (first.recorded.new, first.recorded.events) == (2, 2)
    again = analyze_logs(request, now=NOW)
    assert again.recorded is not None and (again.recorded.new, again.recorded.unchanged, again.recorded.events) == (
        0,
        2,
        0,
    )
    with open_store(db_url) as store:
        stored = store.audit_findings.recent()
        events = store.events.recent()
    assert [(f.detection_id, f.count, f.evidence[0]["table"]) for f in stored] == [
        ("RW-LOG-008", 1, "AzureActivity"),
        ("RW-LOG-001", 1, "ContainerRegistryLoginEvents"),
    ]
    assert {e.kind for e in events} == {"audit.finding"} and len(events) == 2
    assert {e.deliveries for e in events} == {(("bus", "pending", 0), ("pager", "pending", 0))}
    admin = next(e for e in events if e.payload["detection"]["id"] == "RW-LOG-001")
    assert admin.summary.startswith("RW-LOG-001 (high) Admin account used: the admin account 'shopacr'")
    assert admin.payload["evidence"][0]["caller_ip"] == "203.0.113.7"


def test_audit_events_reach_a_real_webhook_signed_and_filtered_by_severity(
    db_url: str, tmp_path: Path, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_HOOK_SECRET", SECRET)
    config = config_file(tmp_path, receiver.url)
    analyze_logs(LogsRequest(paths=(DATA / "la-login.json",), config_file=config, db=db_url), now=NOW)
    with open_store(db_url) as store:
        report = deliver_pending(store, load_settings(config).webhooks, now=NOW)
    assert sorted((a.endpoint, a.outcome) for a in report.attempts) == [
        ("bus", Outcome.DELIVERED),
        ("pager", Outcome.SKIPPED),  # min_severity critical: a high finding is not sent there
    ]
    [request] = receiver.received
    body = json.loads(request.body)
    assert request.headers["X-Regwarden-Event"] == "audit.finding"
    assert request.headers["X-Regwarden-Signature"].startswith("sha256=")
    assert (body["kind"], body["payload"]["detection"]["id"], body["payload"]["finding"]["registry"]) == (
        "audit.finding",
        "RW-LOG-001",
        "shopacr",
    )


def test_deleting_a_running_digest_is_caught_with_the_inventory(db_url: str, tmp_path: Path) -> None:
    workload = Workload("aks-prod", "shop", "Deployment", "web", "web", "shopacr.azurecr.io/shop/web:1.4", DIGEST)
    with open_store(db_url) as store:
        store.workloads.replace_cluster(
            ClusterSnapshot("aks-prod", (workload,)), [EnvironmentDecision(Environment.PRODUCTION, "test")], "test"
        )
    deletes = tmp_path / "deletes.jsonl"
    rows = [
        {
            "TimeGenerated": "2024-05-01T10:00:00Z",
            "OperationName": "Delete",
            "Identity": "ops",
            "Digest": DIGEST,
            "Repository": "shop/web",
            "LoginServer": "shopacr.azurecr.io",
            "Type": "ContainerRegistryRepositoryEvents",
        },
        {
            "TimeGenerated": "2024-05-01T10:01:00Z",
            "OperationName": "Untag",
            "Identity": "ops",
            "Tag": "1.4",
            "Repository": "shop/web",
            "LoginServer": "shopacr.azurecr.io",
            "Type": "ContainerRegistryRepositoryEvents",
        },
    ]
    deletes.write_bytes(b"\n".join(orjson.dumps(row) for row in rows))
    report = analyze_logs(LogsRequest(paths=(deletes,), db=db_url), now=NOW)
    assert report.inventory is True
    assert sorted(f.message for f in report.analysis.findings) == [
        f"ops deleted shop/web@{DIGEST} in shopacr, which a running workload uses",
        "ops untagged shop/web:1.4 in shopacr, which a running workload uses",
    ]


def test_since_limits_the_analysed_period_and_no_record_stores_nothing(tmp_path: Path) -> None:
    request = LogsRequest(paths=(DATA / "la-login.json",), since="1h", record=False)
    report = analyze_logs(request, now=datetime(2024, 5, 1, 11, 1, 0, tzinfo=UTC))
    assert (report.analysis.events, report.analysis.analysed, report.recorded) == (2, 1, None)
    # The admin login at 10:00:01 is older than the hour: baseline only. The IPv6 address that logged in at 10:02
    # was not seen in the baseline window before it.
    assert [(f.detection.id, f.caller_ip) for f in report.analysis.findings] == [
        ("RW-LOG-002", "2001:db8:85a3::8a2e:370:7334")
    ]


def test_input_without_a_usable_record_is_no_data(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"level": "info"}\n')
    with pytest.raises(NoDataError, match=r"no usable .* record in .*junk.jsonl \(1 × no TimeGenerated"):
        analyze_logs(LogsRequest(paths=(junk,), record=False), now=NOW)


def test_a_workspace_is_queried_over_since_plus_baseline_and_analysed(tmp_path: Path) -> None:
    rows = {
        AuditTable.LOGIN.value: table(
            AuditTable.LOGIN,
            [
                {
                    "TimeGenerated": "2024-05-01T23:00:00Z",
                    "OperationName": "Login",
                    "Identity": "shopacr",
                    "CallerIpAddress": "203.0.113.7",
                    "LoginServer": "shopacr.azurecr.io",
                    "ResultType": "Success",
                    "Type": "ContainerRegistryLoginEvents",
                },
            ],
        )
    }
    with serve({"ws-1": rows}, tmp_path) as fake:
        access = WorkspaceAccess(FakeCredential(), fake.endpoint, str(fake.certificate))
        report = analyze_logs(LogsRequest(workspace="ws-1", since="2h", record=False), access, now=NOW)
    assert {query.timespan for query in fake.queries} == {"PT1216800.0S"}  # 2 h + the 14 d baseline
    assert report.read.sources == ("workspace ws-1",)
    assert [f.detection.id for f in report.analysis.findings] == ["RW-LOG-001", "RW-LOG-002"]


def test_chat_webhooks_show_the_detection_facts(db_url: str, receiver: WebhookReceiver) -> None:
    analyze_logs(LogsRequest(paths=(DATA / "la-activity.json",), db=db_url), now=NOW)
    slack = Webhook("slack", f"{receiver.url}/slack", WebhookFormat.SLACK)
    with open_store(db_url) as store:
        with store.engine.begin() as conn:  # no webhook was configured when it was raised: queue it to one now
            conn.execute(
                sa.insert(deliveries),
                [{"event_id": 1, "endpoint": "slack", "status": "pending", "attempts": 0, "next_attempt_at": NOW}],
            )
        deliver_pending(store, [slack], now=NOW)
    message = json.loads(receiver.bodies("/slack")[0])
    assert message["blocks"][0]["text"]["text"] == "Audit logs: Diagnostic settings deleted or changed"
    fields = [field["text"] for field in message["blocks"][2]["fields"]]
    assert fields[:3] == ["*Detection*\nRW-LOG-008", "*Severity*\nhigh", "*Registry*\nshopacr"]
