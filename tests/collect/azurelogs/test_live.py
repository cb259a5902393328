"""Live reading through the real azure-monitor-query LogsQueryClient against a local HTTPS fake of the Log Analytics
query API (fake_log_analytics.py): columns and rows in the documented shape become the same events as exported
files; partial results, refusals and unknown workspaces are reported, never silently empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from regwarden.collect.azurelogs import AuditLogReader
from regwarden.collect.azurelogs.live import QUERIES, WorkspaceLogs
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.errors import AuthError, NotFoundError, UnreachableError
from tests.collect.azurelogs.fake_log_analytics import FakeCredential, FakeLogAnalytics, serve, table

WORKSPACE = "7a1e5c2b-0000-4000-8000-00000000f00d"
SERVER = "shopacr.azurecr.io"
RID = (
    "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c/resourcegroups/rg-shop/providers/"
    "microsoft.containerregistry/registries/shopacr"
)


TABLES = {
    AuditTable.LOGIN.value: table(
        AuditTable.LOGIN,
        [
            {
                "TimeGenerated": "2024-05-01T10:00:00.1234567Z",
                "OperationName": "Login",
                "Identity": "shopacr",
                "CallerIpAddress": "2001:db8::5",
                "LoginServer": SERVER,
                "ResultType": "Success",
                "ResultDescription": "200",
                "_ResourceId": RID,
                "Type": "ContainerRegistryLoginEvents",
            },
        ],
    ),
    AuditTable.REPOSITORY.value: table(
        AuditTable.REPOSITORY,
        [
            {
                "TimeGenerated": "2024-05-01T10:01:00Z",
                "OperationName": "Pull",
                "Identity": "",
                "Repository": "shop/web",
                "Tag": "1.4",
                "Size": 1530,
                "CallerIpAddress": "10.0.0.7",
                "LoginServer": SERVER,
                "Type": "ContainerRegistryRepositoryEvents",
            },
        ],
    ),
    AuditTable.ACTIVITY.value: table(
        AuditTable.ACTIVITY,
        [
            {
                "TimeGenerated": "2024-05-01T10:02:00Z",
                "OperationNameValue": "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/WRITE",
                "Caller": "mallory@example.com",
                "ActivityStatusValue": "Success",
                "_ResourceId": RID,
                "Properties_d": '{"requestbody": "{\\"properties\\":{\\"anonymousPullEnabled\\":true}}"}',
                "Type": "AzureActivity",
            },
        ],
    ),
}


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeLogAnalytics]:
    with serve(
        {WORKSPACE: TABLES},
        tmp_path,
        refused=frozenset({"locked"}),
        partial=frozenset({"AzureActivity"}),
    ) as running:
        yield running


def read(fake: FakeLogAnalytics, workspace: str = WORKSPACE) -> tuple[list[AuditEvent], AuditLogReader, FakeCredential]:
    credential = FakeCredential()
    logs = WorkspaceLogs(
        credential, workspace, timedelta(days=15), endpoint=fake.endpoint, connection_verify=str(fake.certificate)
    )
    reader = AuditLogReader()
    events = [event for t, query in QUERIES for event in reader.convert(logs.items(t, query), t)]
    return events, reader, credential


def test_each_table_is_queried_over_the_timespan_with_a_bearer_token(fake: FakeLogAnalytics) -> None:
    events, reader, credential = read(fake)
    # 15 days as the SDK itself writes the timespan.
    assert [(q.workspace, q.query.split(" |")[0], q.timespan) for q in fake.queries] == [
        (WORKSPACE, "ContainerRegistryLoginEvents", "PT1296000.0S"),
        (WORKSPACE, "ContainerRegistryRepositoryEvents", "PT1296000.0S"),
        (WORKSPACE, "AzureActivity", "PT1296000.0S"),
    ]
    assert {q.authorization for q in fake.queries} == {"Bearer fake-la-token"}
    assert credential.scopes[0] == (f"{fake.endpoint}/.default",)
    assert [(e.table, e.operation, e.identity, e.caller_ip) for e in events] == [
        (AuditTable.LOGIN, "Login", "shopacr", "2001:db8::5"),
        (AuditTable.REPOSITORY, "Pull", "", "10.0.0.7"),
        (AuditTable.ACTIVITY, "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/WRITE", "mallory@example.com", ""),
    ]
    assert events[0].time == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert events[2].properties["requestbody"] == '{"properties":{"anonymousPullEnabled":true}}'
    assert events[1].origin == f"workspace {WORKSPACE} ContainerRegistryRepositoryEvents row 0"
    [partial] = reader.summary().skipped
    assert partial.reason.startswith("the workspace answered a partial result: ")


def test_refused_and_unknown_workspaces_are_errors_naming_them(fake: FakeLogAnalytics) -> None:
    with pytest.raises(AuthError, match=r"cannot query workspace locked: .*Log Analytics Reader"):
        read(fake, "locked")
    with pytest.raises(NotFoundError, match="workspace nowhere not found"):
        read(fake, "nowhere")
    closed = WorkspaceLogs(
        FakeCredential(),
        WORKSPACE,
        timedelta(hours=1),
        endpoint="https://127.0.0.1:9",
        connection_verify=str(fake.certificate),
    )
    with pytest.raises(UnreachableError, match=f"cannot reach Log Analytics for workspace {WORKSPACE}"):
        list(closed.items(AuditTable.LOGIN, QUERIES[0][1]))
