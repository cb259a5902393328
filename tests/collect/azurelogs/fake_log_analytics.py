"""A fake Log Analytics query API: a local HTTPS server answering `POST /v1/workspaces/{id}/query` the way the
documented API does (`{"tables": [{"name": "PrimaryResult", "columns": [{"name", "type"}], "rows": [[...]]}]}`),
for driving the real `azure-monitor-query` LogsQueryClient.

A query is answered by the table it starts with. Workspaces named in `refused` answer 403, unknown ones 404 (the
service's error body); a table in `partial` answers its rows with a partial-error `error` beside them. Every request
is recorded with its query, timespan and Authorization header.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken

from regwarden.collect.azurelogs.tables import COLUMNS
from regwarden.model.audit import AuditTable
from tests.collect.fake_arm import write_certificate

Table = tuple[Sequence[tuple[str, str]], Sequence[Sequence[Any]]]
"""(columns as (name, type), rows)."""


@dataclass(frozen=True)
class Query:
    workspace: str
    query: str
    timespan: str | None
    authorization: str | None


@dataclass
class FakeLogAnalytics:
    endpoint: str
    certificate: Path
    workspaces: Mapping[str, Mapping[str, Table]]
    refused: frozenset[str] = frozenset()
    partial: frozenset[str] = frozenset()
    queries: list[Query] = field(default_factory=list)

    def answer(self, workspace: str, query: str) -> tuple[int, dict[str, Any]]:
        if workspace in self.refused:
            return 403, _error("InsufficientAccessError", "The provided credentials have insufficient access.")
        tables = self.workspaces.get(workspace)
        if tables is None:
            return 404, _error("WorkspaceNotFoundError", f"Workspace {workspace} not found.")
        name = query.split("|", 1)[0].strip()
        columns, rows = tables.get(name, ((), ()))
        body: dict[str, Any] = {
            "tables": [
                {
                    "name": "PrimaryResult",
                    "columns": [{"name": column, "type": kind} for column, kind in columns],
                    "rows": [list(row) for row in rows],
                }
            ]
        }
        if name in self.partial:
            body["error"] = {
                "code": "PartialError",
                "message": "Query result exceeded the limit; partial data.",
                "details": [{"code": "E_QUERY_RESULT_SET_TOO_LARGE", "message": "too large"}],
            }
        return 200, body


def table(name: AuditTable, rows: Sequence[Mapping[str, Any]]) -> Table:
    """Rows given by column name, answered with every documented column (absent ones null), as the API does."""
    columns = list(COLUMNS[name].items())
    return columns, [[row.get(column) for column, _ in columns] for row in rows]


class FakeCredential:
    """A TokenCredential: what azure-identity's credentials look like to the SDK pipeline."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("fake-la-token", int(time.time()) + 3600)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _handler(fake: FakeLogAnalytics) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = self.path.split("?", 1)[0].strip("/").split("/")
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            status, answer = 404, _error("PathNotFoundError", self.path)
            if len(parts) == 4 and parts[:2] == ["v1", "workspaces"] and parts[3] == "query":
                fake.queries.append(
                    Query(parts[2], body.get("query", ""), body.get("timespan"), self.headers.get("Authorization"))
                )
                status, answer = fake.answer(parts[2], body.get("query", ""))
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def serve(
    workspaces: Mapping[str, Mapping[str, Table]],
    folder: Path,
    refused: frozenset[str] = frozenset(),
    partial: frozenset[str] = frozenset(),
) -> Iterator[FakeLogAnalytics]:
    cert, key = write_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = FakeLogAnalytics("", cert, workspaces, refused, partial)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    fake.endpoint = f"https://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
