"""A real regwarden server on 127.0.0.1 (uvicorn in a thread), for clients that need a URL: the browser, the
CLI's `scan --record --server`, schemathesis, the load benchmark."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from regwarden.web.app import create_app
from regwarden.web.settings import ServerSettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(settings: ServerSettings, port: int | None = None, workers_log: bool = False) -> Iterator[str]:
    """Serve `settings` until the block ends; yields the base URL (which must match settings.public_url's port
    when the test relies on same-origin checks: pass `port` and set public_url accordingly)."""
    chosen = port or free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=chosen, log_config=None, access_log=workers_log, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"regwarden-test-server-{chosen}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{chosen}"
    finally:
        server.should_exit = True
        thread.join(30)
