"""A local OSV export bucket for tests: serves `<ECOSYSTEM>/all.zip`, `modified_id.csv` and `<ID>.json` over
real HTTP on 127.0.0.1, the way osv-vulnerabilities.storage.googleapis.com does (ETag, Range, If-Range).

Tests break it on purpose: `fail` answers a path with an HTTP status, `cut_after` closes the connection after
N body bytes (once), `stall` holds a request open past the client's timeout. Every request is recorded.
A plain module: tests import `osv_server()` and the helpers; it is not a pytest plugin.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

OSV_TESTDATA = Path(__file__).resolve().parent.parent / "vuln" / "sources" / "testdata" / "osv"
"""Readable OSV records, one directory per ecosystem, shared by the store, source and CLI tests."""


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: Mapping[str, str]


@dataclass
class OsvBucket:
    url: str
    files: dict[str, bytes] = field(default_factory=dict)
    fail: dict[str, int] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)
    stall: set[str] = field(default_factory=set)
    requests: list[SeenRequest] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def publish(self, ecosystem: str, records: Sequence[Mapping[str, Any]]) -> None:
        """Serve `records` as the ecosystem's export: all.zip, modified_id.csv (newest first), <ID>.json."""
        self.files[f"{ecosystem}/all.zip"] = export_zip(records)
        ordered = sorted(records, key=lambda r: str(r["modified"]), reverse=True)
        self.files[f"{ecosystem}/modified_id.csv"] = "".join(f"{r['modified']},{r['id']}\n" for r in ordered).encode()
        for record in records:
            self.files[f"{ecosystem}/{record['id']}.json"] = json.dumps(record, indent=2).encode()


def load_records(ecosystem: str) -> list[dict[str, Any]]:
    """The testdata records of one ecosystem, in file-name order."""
    return [json.loads(path.read_bytes()) for path in sorted((OSV_TESTDATA / ecosystem).glob("*.json"))]


def export_zip(records: Sequence[Mapping[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record, indent=2))
    return buffer.getvalue()


def corrupt(zip_bytes: bytes) -> bytes:
    """The same zip with bytes inside the first member's compressed data flipped, so its CRC check fails."""
    damaged = bytearray(zip_bytes)
    header_end = 30 + int.from_bytes(damaged[26:28], "little") + int.from_bytes(damaged[28:30], "little")
    for offset in range(header_end, header_end + 8):
        damaged[offset] ^= 0xFF
    return bytes(damaged)


@contextmanager
def osv_server() -> Iterator[OsvBucket]:
    """A running bucket on 127.0.0.1 (fresh per test); stopped, and stalled requests released, on exit."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    bucket = OsvBucket(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.bucket = bucket  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield bucket
    finally:
        bucket.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up (timeouts, keep-alive closes) are what these tests provoke, not server bugs.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    @property
    def bucket(self) -> OsvBucket:
        bucket: OsvBucket = self.server.bucket  # type: ignore[attr-defined]
        return bucket

    def do_GET(self) -> None:
        path = unquote(self.path.split("?", 1)[0].lstrip("/"))
        self.bucket.requests.append(SeenRequest(path, dict(self.headers.items())))
        if path in self.bucket.stall:
            self.bucket.released.wait(30)
            self._status(503)
        elif path in self.bucket.fail:
            self._status(self.bucket.fail[path])
        elif path not in self.bucket.files:
            self._status(404)
        else:
            self._send(path, self.bucket.files[path])

    def _send(self, path: str, body: bytes) -> None:
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        start = self._range_start(etag)
        if start is not None and start >= len(body):
            self._status(416)
            return
        status, payload = (206, body[start:]) if start is not None else (200, body)
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if start is not None:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        cut = self.bucket.cut_after.pop(path, None)
        # With `cut`: promise the whole body, deliver part of it, hang up (an interrupted download).
        self.wfile.write(payload if cut is None else payload[:cut])
        self.wfile.flush()
        if cut is not None:
            self.close_connection = True

    def _range_start(self, etag: str) -> int | None:
        wanted = self.headers.get("Range", "")
        if_range = self.headers.get("If-Range")
        if not wanted.startswith("bytes=") or (if_range is not None and if_range != etag):
            return None
        first = wanted.removeprefix("bytes=").split("-", 1)[0]
        return int(first) if first.isdigit() else None

    def _status(self, code: int) -> None:
        body = f"status {code}\n".encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
