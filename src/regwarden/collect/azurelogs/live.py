"""Read the three tables live from a Log Analytics workspace through `azure-monitor-query` (LogsQueryClient).

One query per table over the requested timespan, sorted by time (windowed detections are exact on sorted input);
the Activity Log is narrowed to the resource providers the detections read. The query API answers a table with
its columns and rows; rows become column-named records and go through the same conversion as exported files.

What the service answers instead of rows is not lost: a partial result keeps its rows and records the error, a
result cut at the API's row limit says so, and a refused or unreachable workspace is an AuthError, NotFoundError
or UnreachableError naming the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from regwarden.collect.azurelogs.files import Item
from regwarden.collect.azurelogs.records import UnusableRecord
from regwarden.model.audit import AuditTable
from regwarden.model.errors import AuthError, NotFoundError, UnreachableError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

ROW_LIMIT = 500_000
"""The query API's documented maximum of records returned per query."""
QUERIES: tuple[tuple[AuditTable, str], ...] = (
    (AuditTable.LOGIN, "ContainerRegistryLoginEvents | sort by TimeGenerated asc"),
    (AuditTable.REPOSITORY, "ContainerRegistryRepositoryEvents | sort by TimeGenerated asc"),
    (
        AuditTable.ACTIVITY,
        'AzureActivity | where ResourceProviderValue in~ ("Microsoft.ContainerRegistry", "Microsoft.Authorization", '
        '"Microsoft.Insights") | sort by TimeGenerated asc',
    ),
)


class WorkspaceLogs:
    """The records of one workspace, table by table (`items(table)` yields `(origin, record)` pairs)."""

    def __init__(
        self,
        credential: TokenCredential,
        workspace_id: str,
        timespan: timedelta,
        *,
        endpoint: str | None = None,
        connection_verify: str | bool = True,
    ) -> None:
        from azure.monitor.query import LogsQueryClient

        options: dict[str, Any] = {"connection_verify": connection_verify}
        if endpoint:
            options["endpoint"] = endpoint
        self._client = LogsQueryClient(credential, **options)
        self.workspace_id, self.timespan = workspace_id, timespan

    def items(self, table: AuditTable, query: str) -> Iterator[Item]:
        result = self._query(query)
        origin = f"workspace {self.workspace_id} {table.value}"
        error = getattr(result, "partial_error", None)
        tables = getattr(result, "partial_data", None) if error is not None else result.tables
        if error is not None:
            yield origin, UnusableRecord(f"the workspace answered a partial result: {getattr(error, 'message', error)}")
        for answered in tables or ():
            columns = list(answered.columns)
            for index, row in enumerate(answered.rows):
                yield f"{origin} row {index}", dict(zip(columns, list(row), strict=True))
            if len(answered.rows) >= ROW_LIMIT:
                yield origin, UnusableRecord(f"a result cut at the query API's {ROW_LIMIT} rows: use a shorter --since")

    def _query(self, query: str) -> Any:
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

        where = f"workspace {self.workspace_id}"
        try:
            return self._client.query_workspace(self.workspace_id, query, timespan=self.timespan)
        except ClientAuthenticationError as error:
            raise AuthError(f"cannot query {where}: {_reason(error)}") from None
        except HttpResponseError as error:
            if error.status_code in (401, 403):
                raise AuthError(
                    f"cannot query {where}: {_reason(error)}; the identity needs Log Analytics Reader on it"
                ) from None
            if error.status_code == 404:
                raise NotFoundError(f"{where} not found: {_reason(error)}") from None
            raise UnreachableError(f"Log Analytics failed querying {where}: {_reason(error)}") from None
        except ServiceRequestError as error:
            raise UnreachableError(f"cannot reach Log Analytics for {where}: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    return " ".join(str(message).split())[:300]
