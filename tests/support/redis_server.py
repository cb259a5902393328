"""A throwaway Redis server for the job tests: Debian's `redis-server` on 127.0.0.1, nothing persisted.

One server per test session (per xdist worker); `redis_url` hands each test an emptied database on it. If the
server cannot start, the tests fail (never skip): "tested on Redis" must mean it ran.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_TIMEOUT_S = 20.0


@contextmanager
def redis_server() -> Iterator[str]:
    """A running server; yields its `redis://127.0.0.1:PORT` base URL."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run `make system-deps`")
    root = Path(tempfile.mkdtemp(prefix="regwarden-redis-"))
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    log = (root / "redis.log").open("wb")
    process = subprocess.Popen([*command, "--dir", str(root)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        _wait_until_up(port, process, root)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def flush(base_url: str) -> None:
    """Empty every database of the server (a test's queues never leak into the next one)."""
    port = int(base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
        if not conn.recv(64).startswith(b"+OK"):
            raise RuntimeError("redis FLUSHALL failed")


def _wait_until_up(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited with {process.returncode}:\n{(root / 'redis.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"*1\r\n$4\r\nPING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"redis-server on port {port} did not answer within {START_TIMEOUT_S}s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_base_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_base_url: str) -> str:
    """Database 0 of the session's server, emptied for this test."""
    flush(redis_base_url)
    return f"{redis_base_url}/0"
