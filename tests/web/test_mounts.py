"""Services mounted into the server (web/mounts.py, `serve --admission-policy` and `serve --quarantine`): the app
gains exactly their routes, which answer their own callers (an AdmissionReview; ACR's shared secret) without a
sign-in, while their lifespans run with the app's; every route the dashboard had stays as it was."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from fastapi.testclient import TestClient

from regwarden.model.finding import Severity
from regwarden.oci.client import RegistryClient
from regwarden.service.admission import AdmissionSettings
from regwarden.service.quarantine import WorkerSettings
from regwarden.service.quarantine_gate import GateOptions
from regwarden.service.quarantine_worker import QuarantineWorker
from regwarden.service.scan import ScanOptions
from regwarden.store import open_store
from regwarden.web.admission import ADMISSION_PATH
from regwarden.web.app import create_app
from regwarden.web.mounts import admission_mount, quarantine_mount
from regwarden.web.quarantine import WEBHOOK_PATH, WebhookAuth
from tests.admission.reviews import body_bytes, review
from tests.web.conftest import BASE_URL, settings_for

SECRET = "s3cret-webhook-token-0123456789"
PING = {"id": "p1", "timestamp": "2026-12-08T09:00:00Z", "action": "ping"}


def _paths(routes: Sequence[object]) -> set[tuple[str, str]]:
    """(method, path) of every route, inside included routers too."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if hasattr(route, "original_router"):
            found |= _paths(route.original_router.routes)
        elif hasattr(route, "methods") and route.methods:
            found |= {(method, str(getattr(route, "path", ""))) for method in route.methods}
    return found


def _worker_thread_alive() -> bool:
    return any(thread.name == "regwarden-quarantine" for thread in threading.enumerate())


def _no_registry(host: str) -> RegistryClient:
    raise AssertionError(f"a ping reaches no registry, asked for {host}")


def test_mounts_add_exactly_their_routes_answered_without_a_sign_in(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'regwarden.db'}"
    policy = tmp_path / "admission.yaml"
    policy.write_text("registries: [myregistry.azurecr.io]\npinning: digest\n", encoding="utf-8")
    decisions: list[bytes] = []
    gate = GateOptions(ScanOptions(db_url=db, fail_on=Severity.HIGH))
    plain = _paths(create_app(settings_for(db)).routes)
    with open_store(db) as store:
        worker = QuarantineWorker(store, WorkerSettings(frozenset({"myreg.azurecr.io"}), gate), _no_registry)
        mounts = (
            admission_mount(AdmissionSettings(policy, db_url=db), log=decisions.append),
            quarantine_mount(worker, WebhookAuth(SECRET)),
        )
        app = create_app(settings_for(db), store, mounts=mounts)
        denied = review("deployment-create", {"web": "evil.example/shop/web:1.4"})
        with TestClient(app, base_url=BASE_URL) as client:
            answer = client.post(ADMISSION_PATH, content=body_bytes(denied))
            ping = client.post(WEBHOOK_PATH, json=PING, headers={"Authorization": f"Bearer {SECRET}"})
            no_secret = client.post(WEBHOOK_PATH, json=PING)
            page = client.get("/", follow_redirects=False)
            running = _worker_thread_alive()
        stopped = _worker_thread_alive()
    assert _paths(app.routes) - plain == {
        ("POST", ADMISSION_PATH),
        ("POST", WEBHOOK_PATH),
        ("GET", f"{WEBHOOK_PATH}/checks"),
    }
    assert (answer.status_code, answer.json()["response"]["allowed"]) == (200, False)
    assert answer.json()["response"]["uid"] == denied["request"]["uid"]
    assert [b'"event":"admission"' in line for line in decisions if b'"uid"' in line] == [True]
    assert (ping.status_code, ping.json()["ping"], no_secret.status_code) == (200, True, 401)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
    assert (running, stopped) == (True, False)
