"""The quarantine worker's use case (service/quarantine.py) against a fake ACR at the wire, whose images are served
by the real registry: a pushed image that passes, one that fails, an index, an unreadable image, and the retries
when the registry, the advisory data or ACR's PATCH are not there."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from regwarden.model.finding import Severity
from regwarden.oci.client import RegistryClient
from regwarden.service.quarantine import WorkerSettings, process_due, receive_webhook
from regwarden.service.quarantine_gate import GateOptions
from regwarden.service.scan import ScanOptions
from regwarden.store import Store, open_store
from regwarden.store.inventory_schema import image_children, tag_history
from tests.lifecycle.conftest import DEMO_1_0, DEMO_1_1, FAST, MISSING, Pushed, quarantine_event
from tests.support.fake_acr import FakeAcr
from tests.support.registry import free_port

T0 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
Clients = Callable[[str], RegistryClient]


def settings(acr: FakeAcr, db: str, **changes: object) -> WorkerSettings:
    gate = GateOptions(ScanOptions(db_url=db, fail_on=Severity.HIGH))
    return WorkerSettings(frozenset({acr.host}), gate, **changes)  # type: ignore[arg-type]


def clock(start: datetime) -> Callable[[], datetime]:
    return lambda: start


def details(acr: FakeAcr, index: int = -1) -> dict[str, object]:
    """The quarantineDetails of a PATCH the fake received, decoded."""
    document: dict[str, object] = json.loads(acr.patches[index][2]["quarantineDetails"])
    return document


def run(store: Store, acr: FakeAcr, db: str, clients: Clients, body: bytes, **changes: object) -> None:
    receive_webhook(store, body, {acr.host}, T0)
    process_due(store, settings(acr, db, **changes), clients, clock(T0))


def test_an_image_that_passes_is_set_passed_in_acr_and_catalogued(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1"))

        assert [(repo, digest, body["quarantineState"]) for repo, digest, body in acr.patches] == [
            ("quarantine/demo", DEMO_1_1, "Passed")
        ]
        sent = details(acr)
        assert sent["version"] == "0.0.1"
        assert sent["summary"] == [["Critical", 0], ["High", 0], ["Medium", 0], ["Low", 0], ["None", 0]]
        assert (sent["state"], sent["failOn"], sent["reasons"]) == ("scan passed", "high", [])
        check = store.quarantine.find(acr.host, "quarantine/demo", DEMO_1_1)
        assert check is not None and (check.status, check.state, check.attempts) == ("reported", "Passed", 1)
        assert store.catalog.statuses([DEMO_1_1]) == {DEMO_1_1: "catalogued"}
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(tag_history.c.tag, tag_history.c.digest)).all() == [("1.1", DEMO_1_1)]
    # ACR's PATCH was made with an ACR token for the documented scope, after AAD → refresh → access exchange.
    assert "POST /oauth2/exchange" in acr.calls and f"PATCH /acr/v1/quarantine/demo/_manifests/{DEMO_1_1}" in acr.calls


def test_an_image_that_fails_the_gate_is_set_failed_with_its_summary_and_reasons(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/demo", DEMO_1_0))

        assert [body["quarantineState"] for _, _, body in acr.patches] == ["Failed"]
        sent = details(acr)
        assert sent["summary"] == [["Critical", 1], ["High", 5], ["Medium", 7], ["Low", 0], ["None", 0]]
        assert sent["reasons"] == ["linux/amd64: 6 finding(s) at or above high"]
        assert sent["images"] == [{"digest": DEMO_1_0, "platform": "linux/amd64", "passed": False}]
        manifest = next(m for m in acr.content["quarantine/demo"]["manifests"] if m["digest"] == DEMO_1_0)
        assert manifest["changeableAttributes"]["quarantineState"] == "Failed"
        assert store.impact.open_finding_count(DEMO_1_0) == 13


def test_every_platform_of_an_index_is_checked_and_the_index_gets_the_state(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients, quarantined: Pushed
) -> None:
    index = quarantined.index_digest
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/multi", index, "1"))

        assert [(digest, body["quarantineState"]) for _, digest, body in acr.patches] == [(index, "Passed")]
        platforms = [(image["digest"], image["platform"]) for image in details(acr)["images"]]  # type: ignore[attr-defined]
        assert platforms == [
            (quarantined.platform_digests[0], "linux/amd64"),
            (quarantined.platform_digests[1], "linux/arm64"),
        ]
        with store.engine.connect() as conn:
            children = set(conn.execute(sa.select(image_children.c.child_digest, image_children.c.platform)).all())
        assert children == {
            (quarantined.platform_digests[0], "linux/amd64"),
            (quarantined.platform_digests[1], "linux/arm64"),
        }


def test_an_unreadable_image_is_failed_with_the_reason(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients, quarantined: Pushed
) -> None:
    broken = quarantined.broken_digest
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/demo", MISSING))
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/broken", broken, "1"))

        states = {digest: body["quarantineState"] for _, digest, body in acr.patches}
        assert states == {MISSING: "Failed", broken: "Failed"}
        missing = store.quarantine.find(acr.host, "quarantine/demo", MISSING)
        assert missing is not None and len(missing.reasons) == 1
        assert missing.reasons[0].startswith("the image could not be read: manifest quarantine/demo@")
        assert "MANIFEST_UNKNOWN" in missing.reasons[0]
        unreadable = store.quarantine.find(acr.host, "quarantine/broken", broken)
        assert unreadable is not None and unreadable.reasons[0].startswith(f"{broken}: could not be scanned: layer 0")
        assert store.catalog.statuses([MISSING]) == {MISSING: "failed"}


def test_a_redelivered_webhook_changes_nothing(acr: FakeAcr, advisory_db: str, acr_clients: Clients) -> None:
    body = quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1")
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, body)
        again = receive_webhook(store, body, {acr.host}, T0 + timedelta(minutes=1))
        assert process_due(store, settings(acr, advisory_db), acr_clients, clock(T0 + timedelta(minutes=1))) == []

    assert again.new == 0 and again.checks[0].status == "reported"
    assert len(acr.patches) == 1


def test_an_unreachable_registry_is_retried_then_failed_and_the_state_reported_once_acr_answers(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    closed = f"127.0.0.1:{free_port()}"  # nothing listens there: every request is refused

    def unreachable(_host: str) -> RegistryClient:
        return RegistryClient(closed, insecure=True, retry=FAST)

    worker = settings(acr, advisory_db, max_attempts=2)
    with open_store(advisory_db) as store:
        receive_webhook(store, quarantine_event(acr.host, "quarantine/demo", DEMO_1_1), {acr.host}, T0)
        (first,) = process_due(store, worker, unreachable, clock(T0))
        assert (first.status, first.attempts, first.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=30))
        assert first.last_error is not None and closed in first.last_error
        assert process_due(store, worker, unreachable, clock(T0 + timedelta(seconds=10))) == []  # not yet due

        (second,) = process_due(store, worker, unreachable, clock(T0 + timedelta(seconds=30)))
        assert (second.status, second.state) == ("decided", "Failed")  # decided, but ACR could not be told
        assert second.reasons[0].startswith("not checked after 2 attempts:")

        (third,) = process_due(store, worker, acr_clients, clock(T0 + timedelta(minutes=5)))
        assert (third.status, third.state) == ("reported", "Failed")
    assert [body["quarantineState"] for _, _, body in acr.patches] == ["Failed"]


def test_a_failed_patch_keeps_the_decision_and_only_the_report_is_retried(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    acr.fail_next = [503, 503]  # ACR's metadata API is busy for the first PATCH (and its one retry)
    with open_store(advisory_db) as store:
        run(store, acr, advisory_db, acr_clients, quarantine_event(acr.host, "quarantine/demo", DEMO_1_0))
        check = store.quarantine.find(acr.host, "quarantine/demo", DEMO_1_0)
        assert check is not None and (check.status, check.state) == ("decided", "Failed")
        assert check.last_error is not None and "503" in check.last_error
        decided_at = check.decided_at

        (after,) = process_due(store, settings(acr, advisory_db), acr_clients, clock(T0 + timedelta(minutes=1)))
        assert (after.status, after.decided_at, after.attempts) == ("reported", decided_at, 2)
    assert len(acr.patches) == 1


def test_without_advisory_data_the_check_waits_then_fails_never_passes(
    acr: FakeAcr, tmp_path: Path, acr_clients: Clients
) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    worker = settings(acr, empty, max_attempts=1)
    with open_store(empty) as store:
        receive_webhook(store, quarantine_event(acr.host, "quarantine/demo", DEMO_1_1), {acr.host}, T0)
        (check,) = process_due(store, worker, acr_clients, clock(T0))
    assert (check.status, check.state) == ("reported", "Failed")
    assert "not checked after 1 attempts" in check.reasons[0] and "database" in check.reasons[0]
    assert [body["quarantineState"] for _, _, body in acr.patches] == ["Failed"]
