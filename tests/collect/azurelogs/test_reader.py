"""The audit log readers on records in the documented shapes: Log Analytics exports (JSON, portal CSV, query API
responses), storage-account archives (JSON lines and a `records` envelope), Activity Log archives and
`az monitor activity-log list` output; odd records (empty identities, IPv6 callers, quoted commas and newlines
in CSV) are read, unusable ones are counted with their reason and place, never fatal."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from regwarden.collect.azurelogs import AuditLogReader
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.errors import BadInputError

DATA = Path(__file__).parent / "testdata"
ARCHIVE = DATA / "archive"
LOGIN_ARCHIVE = ARCHIVE / "insights-logs-containerregistryloginevents/y=2024/m=05/d=01/h=10/m=00/PT1H.json"
REPOSITORY_ARCHIVE = ARCHIVE / "insights-logs-containerregistryrepositoryevents/y=2024/m=05/d=01/h=10/m=00/PT1H.json"
ACTIVITY_ARCHIVE = ARCHIVE / "insights-activity-logs/y=2024/m=05/d=01/h=10/m=00/PT1H.json"
SUBSCRIPTION = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"
SHOPACR = f"{SUBSCRIPTION}/resourcegroups/rg-shop/providers/microsoft.containerregistry/registries/shopacr"


def read(*paths: Path, document_limit: int = 32 << 20) -> tuple[list[AuditEvent], AuditLogReader]:
    reader = AuditLogReader(document_limit)
    return list(reader.events(list(paths))), reader


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_log_analytics_json_export_keeps_documented_fields_empty_identity_and_ipv6() -> None:
    events, reader = read(DATA / "la-login.json")
    assert [(e.table, e.operation, e.identity, e.caller_ip, e.result_type, e.result_description) for e in events] == [
        (AuditTable.LOGIN, "Login", "shopacr", "203.0.113.7", "Success", "200"),
        (AuditTable.LOGIN, "Login", "", "2001:db8:85a3::8a2e:370:7334", "Failure", "401"),
    ]
    first = events[0]
    assert first.time == datetime(2024, 5, 1, 10, 0, 1, 123456, tzinfo=UTC)
    assert (first.login_server, first.resource_id, first.registry) == ("shopacr.azurecr.io", SHOPACR, "shopacr")
    assert first.origin == f"{DATA / 'la-login.json'}[0]"
    assert reader.summary().records == {AuditTable.LOGIN: 2, AuditTable.REPOSITORY: 0, AuditTable.ACTIVITY: 0}


def test_portal_csv_export_with_utc_headers_quoted_commas_and_newlines() -> None:
    events, reader = read(DATA / "la-repository.csv")
    assert [(e.operation, e.repository, e.tag, e.digest[:11], e.identity) for e in events] == [
        ("Pull", "shop/web", "1.4", "sha256:1111", "ci-pipeline"),
        ("Delete", "shop/api", "", "sha256:2222", "ops@example.com"),
    ]
    assert events[0].time == datetime(2024, 5, 1, 10, 5, 0, 250000, tzinfo=UTC)
    assert events[0].user_agent == 'containerd/1.7.2, via "proxy, eu"'
    assert events[1].user_agent == "Mozilla/5.0 (X11; Linux x86_64)\naz-cli/2.61"
    assert [e.origin.rsplit(":", 1)[1] for e in events] == ["2", "4"]  # the line a record ends on
    assert reader.summary().skipped == ()


def test_storage_archive_json_lines_and_records_envelope() -> None:
    events, reader = read(LOGIN_ARCHIVE, REPOSITORY_ARCHIVE)
    assert [(e.table, e.operation, e.identity, e.caller_ip, e.login_server) for e in events] == [
        (AuditTable.LOGIN, "Login", "0f9e8d7c-aaaa-4bbb-8ccc-000000000001", "198.51.100.23", "shopacr.azurecr.io"),
        (AuditTable.LOGIN, "Login", "", "::ffff:198.51.100.24", "shopacr.azurecr.io"),
        (AuditTable.REPOSITORY, "Push", "ci-pipeline", "10.20.30.40", "shopacr.azurecr.io"),
        (AuditTable.REPOSITORY, "Untag", "ops@example.com", "10.20.30.41", "shopacr.azurecr.io"),
    ]
    assert (events[2].repository, events[2].tag, events[2].digest[-4:]) == ("shop/web", "1.5", "3333")
    assert events[1].result_description == "401" and events[0].user_agent == "helm/3.14.0"
    assert events[3].origin.endswith("PT1H.json:records[1]")
    assert events[0].registry == "shopacr" and events[0].origin.endswith("PT1H.json:1")
    assert reader.summary().total == 4


def test_activity_log_archive_caller_from_claims_and_status_from_result_type() -> None:
    events, _ = read(ACTIVITY_ARCHIVE)
    assert [(e.operation, e.identity, e.caller_ip, e.status) for e in events] == [
        (
            "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/LISTCREDENTIALS/ACTION",
            "mallory@example.com",
            "2001:db8::42",
            "Succeeded",
        ),
        ("MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "mallory@example.com", "2001:db8::42", "Started"),
    ]
    assert str(events[1].properties["requestbody"]).startswith('{"Id":"7a8b9c0d')
    assert events[0].registry == "shopacr"


def test_activity_log_list_output_and_log_analytics_azure_activity_rows() -> None:
    events, _ = read(DATA / "activity-list.json", DATA / "la-activity.json")
    assert [(e.table, e.operation, e.identity, e.caller_ip, e.status) for e in events] == [
        (
            AuditTable.ACTIVITY,
            "Microsoft.ContainerRegistry/registries/write",
            "mallory@example.com",
            "192.0.2.15",
            "Started",
        ),
        (
            AuditTable.ACTIVITY,
            "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE",
            "mallory@example.com",
            "192.0.2.15",
            "Success",
        ),
    ]
    assert events[0].properties["requestbody"] == '{"properties":{"adminUserEnabled":true}}'
    assert events[1].properties["message"] == "microsoft.insights/diagnosticSettings/delete"
    assert events[1].resource_id.endswith("/providers/microsoft.insights/diagnosticsettings/audit")


def test_query_api_response_rows_and_a_row_of_the_wrong_width() -> None:
    events, reader = read(DATA / "api-response.json")
    assert [(e.operation, e.identity, e.time) for e in events] == [("Login", "shopacr", at("2024-05-01T11:00:00"))]
    [skipped] = reader.summary().skipped
    assert (skipped.reason, skipped.count) == ("query API row whose length differs from the columns", 1)
    assert skipped.examples == (f"{DATA / 'api-response.json'}:tables[0].rows[1]",)


def test_unusable_records_are_counted_with_reasons_and_places_and_reading_goes_on() -> None:
    path = DATA / "broken.jsonl"
    events, reader = read(path)
    assert [e.origin for e in events] == [f"{path}:1", f"{path}:9"]
    summary = reader.summary()
    assert {(s.reason, s.count, s.examples) for s in summary.skipped} == {
        ("malformed JSON line (unexpected end of data)", 1, (f"{path}:2",)),
        ("not a JSON object (a str)", 3, (f"{path}:3[0]", f"{path}:3[1]", f"{path}:3[2]")),
        ("TimeGenerated missing or not a timestamp", 1, (f"{path}:4",)),
        ("OperationName missing or empty", 1, (f"{path}:6",)),
        ("no TimeGenerated, time or eventTimestamp: not a log record", 1, (f"{path}:7",)),
    }
    assert summary.ignored == 1  # the Syslog row: another table, counted only
    assert (summary.total, summary.skipped_count) == (2, 7)


def test_gzip_files_are_read_as_they_are(tmp_path: Path) -> None:
    packed = tmp_path / "la-login.json.gz"
    packed.write_bytes(gzip.compress((DATA / "la-login.json").read_bytes()))
    events, _ = read(packed)
    assert [e.identity for e in events] == ["shopacr", ""]


def test_large_documents_are_streamed_not_parsed_at_once(tmp_path: Path) -> None:
    record = orjson.loads(LOGIN_ARCHIVE.read_bytes().splitlines()[0])
    document = tmp_path / "big.json"
    document.write_bytes(orjson.dumps({"records": [record] * 50}))
    events, reader = read(document, document_limit=1024)
    assert len(events) == 50 and events[49].origin == f"{document}:records[49]"
    assert reader.summary().skipped == ()


def test_a_truncated_large_document_keeps_what_was_read(tmp_path: Path) -> None:
    record = orjson.loads(LOGIN_ARCHIVE.read_bytes().splitlines()[0])
    document = tmp_path / "cut.json"
    document.write_bytes(orjson.dumps([record] * 10)[:-300])
    events, reader = read(document, document_limit=1024)
    assert len(events) == 9
    [skipped] = reader.summary().skipped
    assert skipped.reason.startswith("malformed JSON document")


def test_table_comes_from_the_archive_folder_when_a_row_does_not_say(tmp_path: Path) -> None:
    folder = tmp_path / "insights-logs-containerregistryrepositoryevents"
    folder.mkdir()
    row = {"TimeGenerated": "2024-05-01T10:00:00Z", "OperationName": "Pull", "Identity": "x", "Tag": "1"}
    (folder / "export.json").write_bytes(orjson.dumps([row]))
    events, _ = read(folder / "export.json")
    assert [(e.table, e.tag) for e in events] == [(AuditTable.REPOSITORY, "1")]


def test_empty_file_gives_nothing_and_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    assert read(tmp_path / "empty.csv")[0] == []
    with pytest.raises(BadInputError, match="no such file"):
        read(tmp_path / "missing.json")


def test_summary_lists_every_source_read(tmp_path: Path) -> None:
    copy = tmp_path / "copy.csv"
    shutil.copy(DATA / "la-repository.csv", copy)
    _, reader = read(DATA / "la-login.json", copy)
    assert reader.summary().sources == (str(DATA / "la-login.json"), str(copy))
