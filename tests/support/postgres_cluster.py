"""A throwaway PostgreSQL cluster for the store tests: Debian's initdb + pg_ctl into a temp dir, on 127.0.0.1.

The server refuses to run as root, so under root the cluster belongs to the `postgres` system user. If it
cannot start, the tests fail (never skip): "tested on PostgreSQL" must mean it ran.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
START_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str]) -> None:
    completed = subprocess.run(_as_owner(args), capture_output=True, text=True, check=False, timeout=120)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields a `postgresql://` URL of an empty database on it."""
    root = Path(tempfile.mkdtemp(prefix="regwarden-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, PG_USER)
    data, port = root / "data", _free_port()
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "regwarden", "--auth=trust", "-E", "UTF8"])
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} -c fsync=off"
    _run(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
        ]
    )
    try:
        _run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "regwarden", "advisories"])
        yield f"postgresql://regwarden@127.0.0.1:{port}/advisories"
    finally:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)
