"""CSV rows → `AuditEvent` by column position: a Log Analytics export's header is read once per file.

A million-row export is mostly ContainerRegistryLoginEvents and ContainerRegistryRepositoryEvents rows, every
value text. Their columns are picked by position (one `itemgetter` over the row, absent columns read as ""),
without a dict per row or a conversion per value: the same event `event_from_record` builds from the row as a
column-named object, at a fraction of the cost. Everything else (AzureActivity rows with their dynamic
`Properties`, a CSV without `TimeGenerated`) goes through `event_from_record` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import NamedTuple

from regwarden.collect.azurelogs.records import event_from_record, event_time, required, row_table
from regwarden.model.audit import AuditEvent, AuditTable

_REGISTRY_FIELDS = (
    "Identity",
    "CallerIpAddress",
    "ResultType",
    "ResultDescription",
    "_ResourceId",
    "LoginServer",
    "Repository",
    "Tag",
    "Digest",
    "MediaType",
    "UserAgent",
    "CorrelationId",
)
"""The registry tables' columns in `AuditEvent` field order, from `identity` to `correlation_id`."""
_UNSET = (AuditEvent._field_defaults["status"], AuditEvent._field_defaults["properties"])


class CsvColumns:
    """One file's header: where each column the registry tables use sits in a row."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = tuple(header)
        index = {name: i for i, name in enumerate(header)}  # the last of repeated names, as a dict of the row keeps
        absent = len(header)  # a row gets one "" appended: that is where absent columns are read
        self._names = frozenset(index)
        self._by_position = "TimeGenerated" in index
        self._type, self._category = index.get("Type", absent), index.get("Category", absent)
        self._time, self._operation = index.get("TimeGenerated", absent), index.get("OperationName", absent)
        self._fields = itemgetter(*(index.get(name, absent) for name in _REGISTRY_FIELDS))

    def event(self, values: list[str], origin: str, hint: AuditTable | None) -> AuditEvent | None:
        """The event of one row (as many values as the header has columns); None for a row of another table."""
        if not self._by_position:
            return event_from_record(self.named(values), origin, hint)
        values.append("")
        table = row_table(values[self._type], values[self._category], hint, self._names)
        if table is None:
            return None
        if table is AuditTable.ACTIVITY:
            values.pop()
            return event_from_record(self.named(values), origin, hint)
        time = event_time(values[self._time], "TimeGenerated")
        operation = required(values[self._operation], "OperationName")
        return AuditEvent._make((table, time, operation, *self._fields(values), *_UNSET, origin))

    def named(self, values: list[str]) -> dict[str, str]:
        return dict(zip(self.header, values, strict=True))


class CsvRecord(NamedTuple):
    """A CSV row as the file reader hands it on: its values and the file's columns."""

    columns: CsvColumns
    values: list[str]
