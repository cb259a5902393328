"""CSV rows converted by column position give exactly the event the row gives as a column-named object (how every
other layout is converted), for every shape of header: registry tables told by Type, Category, the file's hint or
the columns; activity rows; absent and repeated columns; no TimeGenerated; unusable rows with the same reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from regwarden.collect.azurelogs.records import UnusableRecord, event_from_record
from regwarden.collect.azurelogs.rows import CsvColumns
from regwarden.model.audit import AuditEvent, AuditTable

REGISTRY = "/subscriptions/s1/resourcegroups/rg-shop/providers/microsoft.containerregistry/registries/shopacr"
FULL = [
    *("TimeGenerated", "Type", "Category", "OperationName", "Identity", "CallerIpAddress", "ResultType"),
    *("ResultDescription", "LoginServer", "Repository", "Tag", "Digest", "MediaType", "UserAgent", "CorrelationId"),
    *("_ResourceId", "OperationNameValue", "Caller", "ActivityStatusValue", "Properties"),
]
T0 = "2024-05-01T10:00:00Z"
LOGIN = AuditTable.LOGIN
PULL = [
    "2024-05-01T10:00:00.1234567Z",
    "ContainerRegistryRepositoryEvents",
    "",
    "Pull",
    "ci",
    "10.0.0.1",
    "Success",
    "200",
    "shopacr.azurecr.io",
    "shop/web",
    "1.4",
    "sha256:" + "1" * 64,
    "application/vnd.oci.image.manifest.v1+json",
    "containerd/1.7.2",
    "c-1",
    REGISTRY,
    "",
    "",
    "",
    "",
]


def both(header: list[str], values: list[str], hint: AuditTable | None = None) -> AuditEvent | str | None:
    """The event (or the unusable reason) by position, after checking it equals the column-named conversion."""
    by_name: AuditEvent | str | None
    try:
        by_name = event_from_record(dict(zip(header, values, strict=True)), "f.csv:2", hint)
    except UnusableRecord as problem:
        by_name = f"unusable: {problem}"
    try:
        by_position: AuditEvent | str | None = CsvColumns(header).event(list(values), "f.csv:2", hint)
    except UnusableRecord as problem:
        by_position = f"unusable: {problem}"
    assert by_position == by_name
    return by_position


def test_a_repository_row_by_type_carries_every_field() -> None:
    assert both(FULL, PULL) == AuditEvent(
        AuditTable.REPOSITORY,
        datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC),
        "Pull",
        identity="ci",
        caller_ip="10.0.0.1",
        result_type="Success",
        result_description="200",
        resource_id=REGISTRY,
        login_server="shopacr.azurecr.io",
        repository="shop/web",
        tag="1.4",
        digest="sha256:" + "1" * 64,
        media_type="application/vnd.oci.image.manifest.v1+json",
        user_agent="containerd/1.7.2",
        correlation_id="c-1",
        origin="f.csv:2",
    )


def test_an_activity_row_keeps_its_status_and_parsed_properties() -> None:
    row = list(PULL)
    row[1], row[3] = "AzureActivity", "Administrative"
    row[16:] = ["MICROSOFT.CONTAINERREGISTRY/REGISTRIES/WRITE", "ops@example.com", "Succeeded", '{"requestbody": "{}"}']
    event = both(FULL, row)
    assert isinstance(event, AuditEvent)
    assert (event.table, event.operation, event.identity, event.status, dict(event.properties)) == (
        AuditTable.ACTIVITY,
        "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/WRITE",
        "ops@example.com",
        "Succeeded",
        {"requestbody": "{}"},
    )


def test_a_row_of_another_table_is_none() -> None:
    row = list(PULL)
    row[1] = "Heartbeat"
    assert both(FULL, row) is None


@pytest.mark.parametrize(
    ("header", "values", "hint", "table"),
    [
        (["TimeGenerated", "Category", "OperationName"], [T0, "containerregistryloginevents", "Login"], None, LOGIN),
        (["TimeGenerated", "OperationName", "Repository"], [T0, "Pull", "shop/web"], None, AuditTable.REPOSITORY),
        (["TimeGenerated", "OperationName", "JwtId"], [T0, "Login", "j-1"], None, LOGIN),
        (["TimeGenerated", "OperationName"], [T0, "Login"], LOGIN, LOGIN),
        (["TimeGenerated", "OperationName", "Digest"], [T0, "Push", "sha256:ab"], LOGIN, LOGIN),
    ],
)  # fmt: skip
def test_the_table_without_a_type_column(
    header: list[str], values: list[str], hint: AuditTable | None, table: AuditTable
) -> None:
    event = both(header, values, hint)
    assert isinstance(event, AuditEvent) and event.table is table


def test_absent_columns_are_empty_and_a_repeated_column_reads_its_last_value() -> None:
    header = ["TimeGenerated", "OperationName", "Repository", "Repository"]
    event = both(header, ["5/1/2024, 10:05:00.250 AM", "Pull", "shop/old", "shop/web"])
    assert isinstance(event, AuditEvent)
    assert (event.repository, event.identity, event.caller_ip, event.digest, event.status) == (
        "shop/web",
        "",
        "",
        "",
        "",
    )


def test_a_csv_without_time_generated_is_read_as_the_archive_shape() -> None:
    header = ["time", "category", "operationName", "callerIpAddress", "repository"]
    event = both(header, [T0, "ContainerRegistryRepositoryEvents", "Pull", "10.0.0.9", "shop/web"])
    assert isinstance(event, AuditEvent)
    assert (event.table, event.caller_ip, event.repository) == (AuditTable.REPOSITORY, "10.0.0.9", "shop/web")


@pytest.mark.parametrize(
    ("position", "value", "reason"),
    [
        (0, "", "unusable: TimeGenerated missing or not a timestamp"),
        (0, "yesterday", "unusable: TimeGenerated missing or not a timestamp"),
        (3, "", "unusable: OperationName missing or empty"),
    ],
)
def test_unusable_rows_give_the_same_reason(position: int, value: str, reason: str) -> None:
    row = list(PULL)
    row[position] = value
    assert both(FULL, row) == reason


def test_a_row_of_no_known_table_gives_the_same_reason() -> None:
    assert both(["TimeGenerated", "OperationName"], [T0, "Login"]) == (
        "unusable: a row of no known table (no Type column, and columns of neither registry log)"
    )
