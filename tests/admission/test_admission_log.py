"""The decision log and the event writer (service/admission_log.py) on a real SQLite store: one JSON line per
decision, one event per refusal and repeat window, none for dry runs, a bounded queue, and a database failure
that is logged while the writer goes on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from regwarden.inventory.events import NewEvent
from regwarden.model.admission import (
    AdmissionDecision,
    AdmissionMode,
    AdmissionRequest,
    CheckName,
    DenyReason,
    ImageCheck,
    ImageUse,
    ImageVerdict,
)
from regwarden.report.admission_review import decision_record
from regwarden.service.admission_log import DecisionLog, EventWriter, admission_event
from regwarden.store import open_store

WEB = "myregistry.azurecr.io/shop/web:1.4"
REFUSED = ImageVerdict(WEB, WEB, None, (ImageCheck(CheckName.SIGNATURE, False, "no signature is attached",
                                                   DenyReason.UNSIGNED),))  # fmt: skip


def _request(name: str = "web", dry_run: bool = False) -> AdmissionRequest:
    return AdmissionRequest(f"uid-{name}", "Deployment", "shop", name, "CREATE", dry_run=dry_run,
                            images=(ImageUse(WEB, "web"),))  # fmt: skip


def _denied(request: AdmissionRequest) -> AdmissionDecision:
    return AdmissionDecision(request.uid, False, AdmissionMode.ENFORCE, (REFUSED,), "regwarden denied …")


def test_each_decision_is_a_line_and_a_refusal_one_event_per_object_and_window(tmp_path: Path) -> None:
    lines: list[bytes] = []
    with open_store(str(tmp_path / "r.db")) as store:
        writer = EventWriter(store, ["security"], lines.append)
        log = DecisionLog(lines.append, writer, repeat_after=3600)
        writer.start()
        for request in (_request(), _request(), _request("api"), _request("dry", dry_run=True)):
            log.record(request, _denied(request))
        allowed = _request("ok")
        log.record(allowed, AdmissionDecision(allowed.uid, True, AdmissionMode.ENFORCE))
        writer.stop()
        events = store.events.recent(kind="admission.denied")
        pending = store.events.pending_by_endpoint()
    assert [json.loads(line)["name"] for line in lines] == ["web", "web", "api", "dry", "ok"]
    assert sorted(event.payload["workload"]["name"] for event in events) == ["api", "web"]
    assert (writer.written, writer.dropped, pending) == (2, 0, {"security": 2})


def test_a_full_queue_drops_an_event_with_a_log_line_and_writes_the_rest(tmp_path: Path) -> None:
    lines: list[bytes] = []
    events = [_event(name) for name in ("web", "api", "db")]
    with open_store(str(tmp_path / "r.db")) as store:
        writer = EventWriter(store, [], lines.append, max_queued=2)
        for event in events:  # the writer is not started yet: the queue fills
            writer.put(event)
        writer.start()
        writer.stop()
        stored = store.events.recent(kind="admission.denied")
    assert (writer.dropped, writer.written) == (1, 2)
    assert sorted(event.payload["workload"]["name"] for event in stored) == ["api", "web"]
    assert [json.loads(line) for line in lines] == [
        {"event": "admission.events", "error": "event queue full: an event was dropped"}
    ]


def test_a_failing_database_is_logged_and_the_writer_goes_on(tmp_path: Path) -> None:
    lines: list[bytes] = []
    with open_store(str(tmp_path / "r.db")) as store:
        writer = EventWriter(store, [], lines.append)
        writer.start()
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE deliveries")
            conn.exec_driver_sql("DROP TABLE events")
        writer.put(_event("web"))
        writer.stop()
    [line] = [json.loads(line) for line in lines]
    assert line["event"] == "admission.events" and line["error"].startswith("OperationalError: ")
    assert "no such table: events" in line["error"]


def _event(name: str) -> NewEvent:
    request = _request(name)
    decision = _denied(request)
    return admission_event(request, decision, decision_record(request, decision, datetime.now(UTC)))
