"""The services `regwarden serve` can mount next to the dashboard (web/app.py `Mount`): the Kubernetes admission
webhook (`serve --admission-policy`) and the ACR quarantine webhook with its worker (`serve --quarantine`).

Each is the same router its own command serves (`serve admission`, `serve quarantine`), so the routes answer alike;
neither goes through the dashboard's sign-in. The admission route is called by the API server over the server's TLS
and answers only AdmissionReviews; the quarantine route checks ACR's shared secret.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from regwarden.web.app import Mount

if TYPE_CHECKING:
    from regwarden.service.admission import AdmissionController, AdmissionSettings
    from regwarden.service.quarantine_worker import QuarantineWorker
    from regwarden.web.quarantine import WebhookAuth


class _Opened:
    """The admission controller once the app has started (the route is built before it exists)."""

    controller: AdmissionController | None = None

    def get(self) -> AdmissionController:
        assert self.controller is not None, "the admission webhook is answered only while the app runs"
        return self.controller


def admission_mount(settings: AdmissionSettings, log: Callable[[bytes], None] | None = None) -> Mount:
    """`POST /admission/validate`; the policy, its store and registry clients open with the app. `log` receives
    each decision's JSON line (default: stderr), as with `serve admission`."""
    from regwarden.service.admission import open_admission
    from regwarden.web.admission import admission_router

    opened = _Opened()
    write = log or _stderr

    @contextmanager
    def running() -> Iterator[None]:
        with open_admission(settings, write) as runtime:
            opened.controller = runtime.controller
            try:
                yield
            finally:
                opened.controller = None

    return Mount(admission_router(opened.get), running)


def quarantine_mount(worker: QuarantineWorker, auth: WebhookAuth) -> Mount:
    """`POST /acr/quarantine` and `GET /acr/quarantine/checks`; the worker's thread runs while the app does."""
    from regwarden.web.quarantine import quarantine_router

    return Mount(quarantine_router(worker, auth), worker.running)


def _stderr(line: bytes) -> None:
    sys.stderr.buffer.write(line)
    sys.stderr.flush()
