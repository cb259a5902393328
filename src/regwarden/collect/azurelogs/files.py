"""Stream the records of one log file, whatever its layout, without holding the file in memory.

Layouts, told apart by the first bytes (gzip-compressed files are read as they are):
- JSON lines: one JSON object per line; a line may itself be an envelope (`{"records": [...]}`, how archives
  were written before JSON lines, or a query API response `{"tables": [...]}`), expanded in place.
- One JSON document: an array of records, a `{"records": [...]}` archive blob, a query API response, or
  `{"value": [...]}`. Small ones are parsed at once; larger ones are streamed (ijson), so memory stays bounded.
- CSV with a header row (Log Analytics and portal exports; `TimeGenerated [UTC]` headers are read as
  `TimeGenerated`); quoted fields may hold commas, quotes and newlines.

Yields `(origin, record)`: `record` is the parsed object (anything: the caller rejects non-objects), a
`CsvRecord` (a CSV row with its file's columns, converted by position), or an `UnusableRecord` when the rest of a
file cannot be read (a truncated document), which ends that file only.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import orjson

from regwarden.collect.azurelogs.records import UnusableRecord
from regwarden.collect.azurelogs.rows import CsvColumns, CsvRecord
from regwarden.model.audit import AuditTable
from regwarden.model.errors import BadInputError

Item = tuple[str, object]
WHOLE_DOCUMENT_LIMIT = 32 * 1024 * 1024
"""JSON documents up to this size are parsed at once (fast); larger ones are streamed (bounded memory)."""
_HEADER_SUFFIX = re.compile(r"\s*\[[^\]]*\]\s*$")
_HINTS = (
    ("containerregistryloginevents", AuditTable.LOGIN),
    ("containerregistryrepositoryevents", AuditTable.REPOSITORY),
    ("insights-activity-logs", AuditTable.ACTIVITY),
    ("azureactivity", AuditTable.ACTIVITY),
)


def table_hint(path: Path) -> AuditTable | None:
    """The table a file's name or folders name (`insights-logs-containerregistryloginevents/…/PT1H.json`)."""
    lowered = str(path).casefold()
    return next((table for needle, table in _HINTS if needle in lowered), None)


def iter_file(path: Path, document_limit: int = WHOLE_DOCUMENT_LIMIT) -> Iterator[Item]:
    """The records of one file (see the module docstring); JSON documents over `document_limit` bytes stream."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except OSError as error:
        raise BadInputError(f"{path}: cannot read: {error.strerror or error}") from None
    with raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if compressed else raw  # type: ignore[assignment]
        try:
            yield from _layout(path, stream, document_limit)
        except (OSError, EOFError) as error:
            yield str(path), UnusableRecord(f"file unreadable past this point: {error}")


def _layout(path: Path, stream: IO[bytes], document_limit: int) -> Iterator[Item]:
    """The reader of the file's layout, told by its first bytes (returned, not delegated to: one generator less
    for every record to pass through)."""
    head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    stream.seek(0)
    if not head:
        return iter(())
    if head[:1] not in (b"{", b"["):
        return _csv_rows(path, stream)
    first_line = stream.readline(document_limit)
    if _is_json_object(first_line):
        return _json_lines(path, first_line, stream)
    stream.seek(0)
    return _json_document(path, stream, document_limit)


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _json_lines(path: Path, first_line: bytes, stream: IO[bytes]) -> Iterator[Item]:
    prefix = f"{path}:"
    for number, line in enumerate(itertools.chain((first_line,), stream), start=1):
        if len(line) < 3 and not line.strip():
            continue
        origin = f"{prefix}{number}"
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield origin, UnusableRecord(f"malformed JSON line ({error.msg})")
            continue
        if type(record) is dict and "records" not in record and "tables" not in record and "value" not in record:
            yield origin, record  # the usual line: one record (no nested generator per line)
        else:
            yield from expand(origin, record)


def expand(origin: str, document: object) -> Iterator[Item]:
    """A parsed object, or the records an envelope holds (archive `records`, query API `tables`, `value`)."""
    if isinstance(document, list):
        yield from ((f"{origin}[{i}]", item) for i, item in enumerate(document))
    elif isinstance(document, Mapping) and isinstance(document.get("records"), list):
        yield from ((f"{origin}:records[{i}]", item) for i, item in enumerate(document["records"]))
    elif isinstance(document, Mapping) and isinstance(document.get("tables"), list):
        yield from _api_tables(origin, document["tables"])
    elif isinstance(document, Mapping) and isinstance(document.get("value"), list) and "time" not in document:
        yield from ((f"{origin}:value[{i}]", item) for i, item in enumerate(document["value"]))
    else:
        yield origin, document


def _api_tables(origin: str, tables: list[Any]) -> Iterator[Item]:
    """Rows of a Log Analytics query API response, as column-named objects."""
    for t, table in enumerate(tables):
        columns = table.get("columns") if isinstance(table, Mapping) else None
        rows = table.get("rows") if isinstance(table, Mapping) else None
        if not isinstance(columns, list) or not isinstance(rows, list):
            yield f"{origin}:tables[{t}]", UnusableRecord("query API table without columns and rows")
            continue
        names = [str(c.get("name")) if isinstance(c, Mapping) else str(c) for c in columns]
        for r, row in enumerate(rows):
            where = f"{origin}:tables[{t}].rows[{r}]"
            if isinstance(row, list) and len(row) == len(names):
                yield where, dict(zip(names, row, strict=True))
            else:
                yield where, UnusableRecord("query API row whose length differs from the columns")


def _json_document(path: Path, stream: IO[bytes], document_limit: int) -> Iterator[Item]:
    data = stream.read(document_limit + 1)
    if len(data) <= document_limit:
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            yield str(path), UnusableRecord(f"malformed JSON document ({error.msg})")
            return
        yield from expand(str(path), document)
        return
    del data
    stream.seek(0)
    yield from _streamed_document(path, stream)


def _streamed_document(path: Path, stream: IO[bytes]) -> Iterator[Item]:
    import ijson

    prefix = _top_level_prefix(stream.read(65536))
    stream.seek(0)
    try:
        if prefix == "tables":
            for t, table in enumerate(ijson.items(stream, "tables.item", use_float=True)):
                yield from _api_tables(f"{path}:tables[{t}]", [table])
            return
        where = {"item": "", "records": ":records", "value": ":value"}.get(prefix or "")
        if where is None:
            yield str(path), UnusableRecord("a JSON document of no known layout (records, tables, value, or a list)")
            return
        for i, item in enumerate(ijson.items(stream, f"{prefix}.item" if prefix != "item" else "item", use_float=True)):
            yield f"{path}{where}[{i}]", item
    except ijson.JSONError as error:
        yield str(path), UnusableRecord(f"malformed JSON document ({error})")


def _top_level_prefix(start: bytes) -> str | None:
    """`item` for a top-level array, else the first of records / tables / value the object starts with."""
    head = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "item"
    found = re.search(rb'"(records|tables|value)"\s*:', head)
    return found.group(1).decode() if found else None


def _csv_rows(path: Path, stream: IO[bytes]) -> Iterator[Item]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = [_HEADER_SUFFIX.sub("", name).strip() for name in next(reader)]
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as error:
            yield f"{path}:1", UnusableRecord(f"unreadable CSV header ({error})")
            return
        yield from _csv_body(path, reader, header)
    finally:
        text.detach()  # the caller closes the file; a collected wrapper must not


def _csv_body(path: Path, reader: Any, header: list[str]) -> Iterator[Item]:
    width, columns, prefix = len(header), CsvColumns(header), f"{path}:"
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != width:
                yield (
                    f"{prefix}{reader.line_num}",
                    UnusableRecord(f"CSV row with {len(row)} fields, header has {width}"),
                )
                continue
            yield f"{prefix}{reader.line_num}", CsvRecord(columns, row)
    except (csv.Error, UnicodeDecodeError) as error:
        yield f"{prefix}{reader.line_num}", UnusableRecord(f"unreadable CSV row ({error})")
