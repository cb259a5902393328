"""The quarantine webhook over HTTP (web/quarantine.py): FastAPI's TestClient, a real uvicorn on 127.0.0.1, and the
`regwarden quarantine serve` process (also spelt `serve quarantine`), each taking ACR's webhook and setting the state
at the fake ACR."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from regwarden.model.finding import Severity
from regwarden.oci.client import RegistryClient
from regwarden.service.quarantine import WorkerSettings
from regwarden.service.quarantine_gate import GateOptions
from regwarden.service.quarantine_worker import QuarantineWorker
from regwarden.service.scan import ScanOptions
from regwarden.store import open_store
from regwarden.web.quarantine import WebhookAuth, create_quarantine_app
from tests.lifecycle.conftest import DEMO_1_0, DEMO_1_1, quarantine_event
from tests.support.fake_acr import FakeAcr
from tests.support.registry import SelfSignedCert, free_port

SECRET = "s3cret-webhook-token-0123456789"
BEARER = {"Authorization": f"Bearer {SECRET}"}
Clients = Callable[[str], RegistryClient]


@contextmanager
def worker_app(
    acr: FakeAcr, db: str, clients: Clients, header: str = "Authorization"
) -> Iterator[tuple[FastAPI, QuarantineWorker]]:
    gate = GateOptions(ScanOptions(db_url=db, fail_on=Severity.HIGH))
    with open_store(db) as store:
        worker = QuarantineWorker(store, WorkerSettings(frozenset({acr.host}), gate), clients, poll_seconds=0.05)
        yield create_quarantine_app(worker, WebhookAuth(SECRET, header)), worker


def states(acr: FakeAcr) -> dict[str, str]:
    return {digest: body["quarantineState"] for _, digest, body in acr.patches}


def test_the_webhook_is_answered_at_once_and_the_state_set_in_the_background(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    with worker_app(acr, advisory_db, acr_clients) as (app, worker), TestClient(app) as client:
        answer = client.post(
            WEBHOOK, content=quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1"), headers=BEARER
        )
        assert answer.status_code == 202
        (accepted,) = answer.json()["accepted"]
        assert (accepted["digest"], accepted["tag"], answer.json()["new"]) == (DEMO_1_1, "1.1", 1)
        assert accepted["status"] in ("pending", "running", "reported")

        failing = client.post(WEBHOOK, content=quarantine_event(acr.host, "quarantine/demo", DEMO_1_0), headers=BEARER)
        assert failing.status_code == 202
        assert worker.wait_idle(60)
        listed = client.get(f"{WEBHOOK}/checks", headers=BEARER).json()["checks"]

    assert states(acr) == {DEMO_1_1: "Passed", DEMO_1_0: "Failed"}
    assert {(c["digest"], c["status"], c["state"]) for c in listed} == {
        (DEMO_1_1, "reported", "Passed"),
        (DEMO_1_0, "reported", "Failed"),
    }


WEBHOOK = "/acr/quarantine"


def test_checks_recorded_while_the_worker_was_down_are_taken_up_when_it_starts(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients
) -> None:
    with worker_app(acr, advisory_db, acr_clients) as (app, worker):
        worker.receive(quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1"))  # the thread is not running
        assert [check.status for check in worker.checks()] == ["pending"] and acr.patches == []
        with TestClient(app):  # the app starts: its lifespan starts the worker thread
            assert worker.wait_idle(60)
    assert states(acr) == {DEMO_1_1: "Passed"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-secret-0123456789"}, {"Authorization": SECRET}, {"X-Other": SECRET}],
    ids=["none", "wrong secret", "no Bearer", "other header"],
)
def test_requests_without_the_secret_are_refused_and_record_nothing(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients, headers: dict[str, str]
) -> None:
    with worker_app(acr, advisory_db, acr_clients) as (app, worker), TestClient(app) as client:
        answer = client.post(WEBHOOK, content=quarantine_event(acr.host, "quarantine/demo", DEMO_1_1), headers=headers)
        listed = client.get(f"{WEBHOOK}/checks", headers=headers)
        assert worker.checks() == []
    assert (answer.status_code, listed.status_code) == (401, 401)
    assert answer.json() == {"error": "missing or wrong Authorization header"}


def test_a_custom_header_carries_the_bare_secret(acr: FakeAcr, advisory_db: str, acr_clients: Clients) -> None:
    header = "X-Regwarden-Secret"
    body = quarantine_event(acr.host, "quarantine/demo", DEMO_1_1)
    with worker_app(acr, advisory_db, acr_clients, header) as (app, worker), TestClient(app) as client:
        refused = client.post(WEBHOOK, content=body, headers=BEARER)
        accepted = client.post(WEBHOOK, content=body, headers={header: SECRET})
        assert worker.wait_idle(60)
    assert (refused.status_code, accepted.status_code) == (401, 202)
    assert states(acr) == {DEMO_1_1: "Passed"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'{"action": "quarantine"}', 400, "unknown shape"),
        (json.dumps({"action": "quarantine", "target": {"repository": "a"}}).encode(), 400, "names no digest"),
        (b"[" + b" " * 70_000 + b"]", 413, "larger than 65536 bytes"),
    ],
    ids=["not JSON", "no target", "no digest", "too large"],
)
def test_malformed_bodies_are_refused_and_record_nothing(
    acr: FakeAcr, advisory_db: str, acr_clients: Clients, body: bytes, status: int, message: str
) -> None:
    with worker_app(acr, advisory_db, acr_clients) as (app, worker), TestClient(app) as client:
        answer = client.post(WEBHOOK, content=body, headers=BEARER)
        assert worker.checks() == []
    assert answer.status_code == status
    assert message in answer.json()["error"]


def test_pings_other_actions_and_other_registries(acr: FakeAcr, advisory_db: str, acr_clients: Clients) -> None:
    push = json.loads(quarantine_event(acr.host, "quarantine/demo", DEMO_1_1))
    push["action"] = "push"
    with worker_app(acr, advisory_db, acr_clients) as (app, worker), TestClient(app) as client:
        ping = client.post(
            WEBHOOK, json={"id": "p1", "timestamp": "2026-12-08T09:00:00Z", "action": "ping"}, headers=BEARER
        )
        pushed = client.post(WEBHOOK, json=push, headers=BEARER)
        other = client.post(WEBHOOK, content=quarantine_event("evil.example", "x", DEMO_1_1), headers=BEARER)
        health = client.get("/healthz")
        assert worker.checks() == []
    assert (ping.status_code, ping.json()["ping"]) == (200, True)
    assert (pushed.status_code, pushed.json()["ignored"]) == (200, ["push of quarantine/demo: not a quarantine event"])
    assert other.status_code == 403 and "evil.example" in other.json()["error"]
    assert health.json() == {"status": "ok"}
    assert acr.patches == []


def test_a_real_uvicorn_on_loopback(acr: FakeAcr, advisory_db: str, acr_clients: Clients) -> None:
    port = free_port()
    with worker_app(acr, advisory_db, acr_clients) as (app, worker):
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz")
            url = f"http://127.0.0.1:{port}{WEBHOOK}"
            answer = httpx.post(url, content=quarantine_event(acr.host, "quarantine/demo", DEMO_1_0), headers=BEARER)
            refused = httpx.post(url, content=b"{}", headers={"Authorization": "Bearer nope"})
            assert worker.wait_idle(60)
        finally:
            server.should_exit = True
            thread.join(10)
    assert (answer.status_code, refused.status_code) == (202, 401)
    assert states(acr) == {DEMO_1_0: "Failed"}
    assert not thread.is_alive()


@pytest.mark.parametrize("spelling", [("quarantine", "serve"), ("serve", "quarantine")], ids=" ".join)
def test_the_serve_command_runs_until_sigterm_and_keeps_its_records(
    acr: FakeAcr, advisory_db: str, acr_tls: SelfSignedCert, tmp_path: Path, spelling: tuple[str, str]
) -> None:
    # The process signs in as `az acr login --expose-token` users do: an ACR refresh token in docker's config.
    docker = tmp_path / ".docker"
    docker.mkdir()
    auths = {"auths": {acr.host: {"identitytoken": acr.issue_refresh_token()}}}
    (docker / "config.json").write_text(json.dumps(auths))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))},
        "HOME": str(tmp_path),
        "DOCKER_CONFIG": str(docker),
        "SSL_CERT_FILE": str(acr_tls.cert_path),
        "REGWARDEN_QUARANTINE_SECRET": SECRET,
    }
    command = [
        sys.executable,
        "-m",
        "regwarden",
        *spelling,
        "--registry",
        acr.host,
        "--listen",
        f"127.0.0.1:{port}",
        "--db",
        advisory_db,
        "--poll",
        "0.2",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        url = f"http://127.0.0.1:{port}{WEBHOOK}"
        answer = httpx.post(url, content=quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1"), headers=BEARER)
        _wait_until(lambda: bool(acr.patches))
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert answer.status_code == 202
    assert process.returncode == 0, err
    assert states(acr) == {DEMO_1_1: "Passed"}
    assert f"quarantine: {acr.host}/quarantine/demo@{DEMO_1_1}: Passed (set in ACR)" in err
    assert err.strip().splitlines()[-1] == "regwarden: quarantine worker stopped"
    with open_store(advisory_db) as store:
        (check,) = store.quarantine.recent()
    assert (check.digest, check.status, check.state) == (DEMO_1_1, "reported", "Passed")


def _wait_for(url: str, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {process.communicate()[1]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"{url} did not answer within 30 s")


def _wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not finish in time")
        time.sleep(0.05)
