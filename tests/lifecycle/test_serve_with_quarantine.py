"""`regwarden serve --quarantine` as a process: the dashboard's server takes ACR's quarantine webhook with its shared
secret, its worker sets each image's state at the fake ACR while the server runs (with a signature policy: only the
signed image passes), and the dashboard and API still refuse a caller without a session or a token; what it refuses
to start with is a clear error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from regwarden.model.errors import ExitCode
from regwarden.store import open_store
from tests.cli.cli_support import invoke
from tests.lifecycle.conftest import DEMO_1_0, DEMO_1_1, acr_manifest, quarantine_event
from tests.lifecycle.test_gate_signatures import Signed, signed  # noqa: F401 (the fixture: signed images in the registry)
from tests.support.fake_acr import FakeAcr, FakeAcrServer
from tests.support.registry import SelfSignedCert, free_port

SECRET = "s3cret-webhook-token-0123456789"
WEBHOOK = "/acr/quarantine"
BEARER = {"Authorization": f"Bearer {SECRET}"}


def _environment(acr: FakeAcr, acr_tls: SelfSignedCert, home: Path) -> dict[str, str]:
    """Signed in to the fake ACR as `az acr login --expose-token` users are: a refresh token in docker's config."""
    docker = home / ".docker"
    docker.mkdir()
    auths = {"auths": {acr.host: {"identitytoken": acr.issue_refresh_token()}}}
    (docker / "config.json").write_text(json.dumps(auths))
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))},
        "HOME": str(home),
        "DOCKER_CONFIG": str(docker),
        "SSL_CERT_FILE": str(acr_tls.cert_path),
        "REGWARDEN_QUARANTINE_SECRET": SECRET,
    }


def test_serve_takes_the_quarantine_webhook_sets_the_states_and_still_refuses_anonymous_dashboard_requests(
    acr: FakeAcr, advisory_db: str, acr_tls: SelfSignedCert, tmp_path: Path
) -> None:
    process, port = _start(acr, acr_tls, tmp_path, advisory_db)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as client:
            _wait_for(client, process)
            passing = quarantine_event(acr.host, "quarantine/demo", DEMO_1_1, "1.1")
            failing = quarantine_event(acr.host, "quarantine/demo", DEMO_1_0)
            accepted = [client.post(WEBHOOK, content=body, headers=BEARER) for body in (passing, failing)]
            wrong = client.post(WEBHOOK, content=passing, headers={"Authorization": "Bearer wrong-secret-0123456789"})
            page, api = client.get("/"), client.get("/api/v1/images")
            _wait_until(lambda: len(acr.patches) == 2)
            listed = client.get(f"{WEBHOOK}/checks", headers=BEARER).json()["checks"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert [answer.status_code for answer in accepted] == [202, 202]
    assert wrong.status_code == 401
    assert {digest: body["quarantineState"] for _, digest, body in acr.patches} == {
        DEMO_1_1: "Passed",
        DEMO_1_0: "Failed",
    }
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
    assert (api.status_code, api.headers["www-authenticate"]) == (401, "Bearer")
    assert f"regwarden: quarantine webhook on http://127.0.0.1:{port}{WEBHOOK} for {acr.host}" in err
    assert f"quarantine: {acr.host}/quarantine/demo@{DEMO_1_1}: Passed (set in ACR)" in err
    assert {(c["digest"], c["state"]) for c in listed} == {(DEMO_1_1, "Passed"), (DEMO_1_0, "Failed")}
    with open_store(advisory_db) as store:
        recorded = {(check.digest, check.status, check.state) for check in store.quarantine.recent()}
    assert recorded == {(DEMO_1_1, "reported", "Passed"), (DEMO_1_0, "reported", "Failed")}


def test_serve_quarantine_with_a_signature_policy_passes_the_signed_image_only(
    signed: Signed,  # noqa: F811 (the fixture imported above)
    advisory_db: str,
    acr_server: FakeAcrServer,
    acr_tls: SelfSignedCert,
    tmp_path: Path,
) -> None:
    content = {f"sigq/{repo}": {"manifests": [acr_manifest(DEMO_1_1, ["1.1"])]} for repo in ("signed", "unsigned")}
    acr = acr_server.use(FakeAcr(content, upstream=signed.registry))
    policy = ["--quarantine-signature-policy", str(signed.policy)]
    process, port = _start(acr, acr_tls, tmp_path, advisory_db, *policy)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            _wait_for(client, process)
            for repo in ("signed", "unsigned"):
                event = quarantine_event(acr.host, f"sigq/{repo}", DEMO_1_1, "1.1")
                assert client.post(WEBHOOK, content=event, headers=BEARER).status_code == 202
            _wait_until(lambda: len(acr.patches) == 2)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    states = {repo: (body["quarantineState"], json.loads(body["quarantineDetails"])) for repo, _, body in acr.patches}
    assert {repo: (state, details["reasons"]) for repo, (state, details) in states.items()} == {
        "sigq/signed": ("Passed", []),
        "sigq/unsigned": ("Failed", ["signatures (trustpolicy.json) failed: no-signature: no signature is attached"]),
    }, err


def test_what_serve_quarantine_refuses_to_start_with(advisory_db: str) -> None:
    served = ["serve", "--db", advisory_db, "--no-jobs"]
    cases = {
        "no registry": ([*served, "--quarantine"], {}, "--quarantine: name the registries it serves"),
        "registry without --quarantine": (
            [*served, "--quarantine-registry", "myreg.azurecr.io"],
            {},
            "--quarantine-registry: only with --quarantine",
        ),
        "trust store alone": (
            [*served, "--quarantine", "--quarantine-registry", "myreg.azurecr.io", "--quarantine-trust-store", "ts"],
            {},
            "--quarantine-trust-store belongs to --quarantine-signature-policy, which was not given",
        ),
        "short secret": (
            [*served, "--quarantine", "--quarantine-registry", "myreg.azurecr.io"],
            {"REGWARDEN_QUARANTINE_SECRET": "short"},
            "--quarantine: REGWARDEN_QUARANTINE_SECRET: the webhook secret must be at least 16 characters long",
        ),
    }
    outcomes = {name: invoke(args, env) for name, (args, env, _) in cases.items()}
    assert {name: outcome.code for name, outcome in outcomes.items()} == dict.fromkeys(cases, ExitCode.BAD_INPUT)
    for name, (_, _, message) in cases.items():
        assert message in outcomes[name].stderr, name


def _start(
    acr: FakeAcr, acr_tls: SelfSignedCert, home: Path, db: str, *extra: str
) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    command = [
        sys.executable, "-m", "regwarden", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-jobs",
        "--db", db, "--quarantine", "--quarantine-registry", acr.host, *extra,
    ]  # fmt: skip
    environment = _environment(acr, acr_tls, home)
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, port


def _wait_for(client: httpx.Client, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {process.communicate()[1]}")
        try:
            if client.get("/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail("the server did not answer /healthz within 30 s")


def _wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not set both states in time")
        time.sleep(0.05)
