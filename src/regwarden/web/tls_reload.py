"""Serve a renewed TLS certificate without a restart: cert-manager rewrites the mounted Secret before the old
certificate expires, and a webhook that kept the old one would fail every API server call from that day on.

`CertificateReloader` watches the certificate and key files (modification time, size, inode) and loads them again
into the server's own `SSLContext`; connections opened afterwards get the new certificate. A pair that cannot be
loaded (half written, or a key that does not match) is reported and the previous one stays in use.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from pathlib import Path


class CertificateReloader:
    def __init__(
        self,
        context: ssl.SSLContext,
        cert: Path,
        key: Path,
        interval: float = 30.0,
        log: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self._context, self._cert, self._key = context, cert, key
        self._interval, self._log = interval, log
        self._seen = self._stamp()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tls-reload", daemon=True)
        self.reloads = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self._interval + 1)

    def check(self) -> bool:
        """Load the pair again when either file changed; True when a new certificate is now served."""
        stamp = self._stamp()
        if stamp == self._seen:
            return False
        try:
            self._context.load_cert_chain(self._cert, self._key)
        except (OSError, ssl.SSLError) as error:
            self._log(f"the renewed TLS certificate could not be loaded (the previous one stays): {error}")
            return False
        self._seen = stamp
        self.reloads += 1
        self._log(f"TLS certificate reloaded from {self._cert}")
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.check()

    def _stamp(self) -> tuple[tuple[int, int, int], ...]:
        stamps = []
        for path in (self._cert, self._key):
            try:
                found = path.stat()
            except OSError:
                stamps.append((0, 0, 0))
                continue
            stamps.append((found.st_mtime_ns, found.st_size, found.st_ino))
        return tuple(stamps)
