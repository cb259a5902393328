"""Read audit events from files (and live query results), counting what could not be used instead of failing.

`AuditLogReader.events(paths)` is a generator: records are read, converted and handed on one at a time, so memory
does not grow with the input. Afterwards `summary()` says how many records each table gave, how many belonged to
other tables, and every kind of unusable record with its count and the first places it occurred.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from regwarden.collect.azurelogs.files import WHOLE_DOCUMENT_LIMIT, Item, iter_file, table_hint
from regwarden.collect.azurelogs.records import UnusableRecord, event_from_record
from regwarden.collect.azurelogs.rows import CsvRecord
from regwarden.model.audit import AuditEvent, AuditTable, ReadSummary, SkippedRecords

MAX_EXAMPLES = 3


@dataclass
class _Tally:
    count: int = 0
    examples: list[str] = field(default_factory=list)


class AuditLogReader:
    def __init__(self, document_limit: int = WHOLE_DOCUMENT_LIMIT) -> None:
        self._document_limit = document_limit
        self._sources: list[str] = []
        self._records: dict[AuditTable, int] = dict.fromkeys(AuditTable, 0)  # a plain dict: counted per record
        self._skipped: dict[str, _Tally] = {}
        self._ignored = 0

    def events(self, paths: Sequence[Path]) -> Iterator[AuditEvent]:
        """Every usable event of every file, in file order then record order."""
        for path in paths:
            self._sources.append(str(path))
            yield from self.convert(iter_file(path, self._document_limit), table_hint(path))

    def convert(self, items: Iterable[Item], hint: AuditTable | None = None) -> Iterator[AuditEvent]:
        """Events from `(origin, record)` pairs (a file's, or a live query's rows)."""
        records, skip = self._records, self.skip
        for origin, record in items:
            try:
                if type(record) is CsvRecord:
                    event = record.columns.event(record.values, origin, hint)
                elif type(record) is dict or isinstance(record, Mapping):
                    event = event_from_record(record, origin, hint)
                else:
                    skip(str(record) if isinstance(record, UnusableRecord) else _not_an_object(record), origin)
                    continue
            except UnusableRecord as problem:
                skip(str(problem), origin)
                continue
            if event is None:
                self._ignored += 1
                continue
            records[event.table] += 1
            yield event

    def add_source(self, name: str) -> None:
        self._sources.append(name)

    def skip(self, reason: str, origin: str) -> None:
        tally = self._skipped.setdefault(reason, _Tally())
        tally.count += 1
        if len(tally.examples) < MAX_EXAMPLES:
            tally.examples.append(origin)

    def summary(self) -> ReadSummary:
        ordered = sorted(self._skipped.items(), key=lambda item: (-item[1].count, item[0]))
        skipped = tuple(SkippedRecords(reason, tally.count, tuple(tally.examples)) for reason, tally in ordered)
        records = {table: self._records.get(table, 0) for table in AuditTable}
        return ReadSummary(tuple(self._sources), records, skipped, self._ignored)


def _not_an_object(record: object) -> str:
    return f"not a JSON object (a {type(record).__name__})"
