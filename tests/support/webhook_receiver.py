"""A webhook receiver for tests: real HTTP on 127.0.0.1 that records every POST and answers from a script.

`receiver.answer(path, Reply(500), Reply(200))` queues answers for a path (after them: 200). A Reply can add
headers (Retry-After), a body, or a delay (to outlast the client's timeout). A plain module, not a plugin.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    """The path and query, as requested."""
    headers: Mapping[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    url: str
    received: list[Received] = field(default_factory=list)
    scripts: dict[str, deque[Reply]] = field(default_factory=dict)
    released: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str, *replies: Reply) -> None:
        self.scripts.setdefault(path, deque()).extend(replies)

    def next_reply(self, path: str) -> Reply:
        script = self.scripts.get(path)
        return script.popleft() if script else Reply()

    def bodies(self, path: str) -> list[bytes]:
        return [request.body for request in self.received if request.path == path]


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.receiver = receiver  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out and hung up is what the timeout tests provoke, not a server bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_POST(self) -> None:
        receiver: WebhookReceiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receiver.received.append(Received(self.path, dict(self.headers.items()), body))
        reply = receiver.next_reply(self.path)
        if reply.delay:
            receiver.released.wait(reply.delay)
        payload = reply.body.encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
