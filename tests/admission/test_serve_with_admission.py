"""`regwarden serve --admission-policy FILE` as a process: the dashboard's server answers AdmissionReviews on
`/admission/validate` over its own TLS, as `serve admission` does (a renewed certificate served without a restart),
while its dashboard and API still refuse a caller without a session or a token; what it refuses to start with is a
clear error."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer
from cryptography import x509
from typer.main import get_group

from regwarden.cli.app import app
from regwarden.model.errors import ExitCode
from regwarden.web.admission import ADMISSION_PATH
from tests.admission.reviews import body_bytes, review
from tests.cli.cli_support import invoke
from tests.support.registry import free_port, make_self_signed

DENIED = (
    "regwarden denied Deployment shop/web: evil.example/shop/web:1.4: registry-not-allowed: evil.example/shop/web is "
    "not in the allowed registries (myregistry.azurecr.io); evil.example/shop/web:1.4: not-pinned: tag 1.4 is not "
    "pinned: name the image by digest (@sha256:…)"
)


def _wait_for_health(url: str, verify: ssl.SSLContext, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {process.communicate()[1]}")
        try:
            if httpx.get(url, verify=verify, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer within 60 s")


def _served_serial(port: int) -> int:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw) as wrapped:
        der = wrapped.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def test_serve_answers_the_admission_route_over_its_tls_and_still_refuses_anonymous_dashboard_requests(
    tmp_path: Path,
) -> None:
    tls = make_self_signed(tmp_path / "tls")
    policy = tmp_path / "admission.yaml"
    policy.write_text("registries: [myregistry.azurecr.io]\npinning: digest\n", encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    command = [
        sys.executable, "-m", "regwarden", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-jobs",
        "--db", str(tmp_path / "regwarden.db"), "--tls-cert", str(tls.cert_path), "--tls-key", str(tls.key_path),
        "--admission-policy", str(policy), "--tls-reload-interval", "0.2",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env={**env, "HOME": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    verify = ssl.create_default_context(cafile=tls.cert_path)
    base = f"https://127.0.0.1:{port}"
    try:
        _wait_for_health(f"{base}/healthz", verify, process)
        with httpx.Client(base_url=base, verify=verify, follow_redirects=False) as client:
            denied = review("deployment-create", {"web": "evil.example/shop/web:1.4"})
            allowed = review("deployment-create", {"web": "myregistry.azurecr.io/shop/web@sha256:" + "ab" * 32})
            answers = [client.post(ADMISSION_PATH, content=body_bytes(body)) for body in (denied, allowed)]
            malformed = client.post(ADMISSION_PATH, content=b"{not json")
            page, api = client.get("/"), client.get("/api/v1/images")
        renewed = make_self_signed(tmp_path / "renewed")
        tls.key_path.write_bytes(renewed.key_path.read_bytes())
        tls.cert_path.write_bytes(renewed.cert_path.read_bytes())
        deadline = time.monotonic() + 10
        while _served_serial(port) != renewed.cert.serial_number and time.monotonic() < deadline:
            time.sleep(0.1)
        served = _served_serial(port)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert [answer.status_code for answer in answers] == [200, 200]
    responses = [answer.json()["response"] for answer in answers]
    assert [(r["uid"], r["allowed"]) for r in responses] == [
        (denied["request"]["uid"], False),
        (allowed["request"]["uid"], True),
    ]
    assert responses[0]["status"]["message"] == DENIED
    assert malformed.status_code == 400 and "error" in malformed.json()
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=%2F")
    assert (api.status_code, api.headers["www-authenticate"]) == (401, "Bearer")
    assert served == renewed.cert.serial_number
    assert process.returncode == 0, err  # SIGTERM stops the server cleanly (not killed by the signal: 143)
    assert f"regwarden: TLS certificate reloaded from {tls.cert_path}" in err
    assert f"regwarden: admission webhook on {base}{ADMISSION_PATH}: " in err
    decisions = [
        json.loads(line) for line in err.splitlines() if line.startswith("{") and '"event":"admission"' in line
    ]
    assert [(d["uid"], d["allowed"]) for d in decisions] == [
        (denied["request"]["uid"], False),
        (allowed["request"]["uid"], True),
    ]


def test_what_serve_refuses_to_start_with(tmp_path: Path) -> None:
    tls = make_self_signed(tmp_path / "tls")
    bad = tmp_path / "bad.yaml"
    bad.write_text("mode: block\n", encoding="utf-8")
    db = ["--db", str(tmp_path / "regwarden.db"), "--no-jobs"]
    cases = {
        "no TLS": ([*db, "--admission-policy", str(bad)], "the API server calls admission webhooks over HTTPS only"),
        "no TLS key": (
            [*db, "--admission-policy", str(bad), "--tls-cert", str(tls.cert_path)],
            "the API server calls admission webhooks over HTTPS only",
        ),
        "bad policy": (
            [*db, "--admission-policy", str(bad), "--tls-cert", str(tls.cert_path), "--tls-key", str(tls.key_path)],
            "mode: 'block'; expected one of: enforce, audit",
        ),
        "options before a subcommand": (
            ["--port", "9000", "admission", "--policy", str(bad)],
            "--port: options of `serve` itself; give `serve admission` its options after its name",
        ),
    }
    outcomes = {name: invoke(["serve", *args]) for name, (args, _) in cases.items()}
    assert {name: outcome.code for name, outcome in outcomes.items()} == dict.fromkeys(cases, ExitCode.BAD_INPUT)
    for name, (_, message) in cases.items():
        assert message in outcomes[name].stderr, name


def test_serve_help_lists_both_webhooks_and_the_former_spelling_stays_hidden() -> None:
    root = get_group(app)
    context = typer.Context(root)
    serve = root.get_command(context, "serve")
    assert set(getattr(serve, "commands", {})) == {"admission", "quarantine"}
    assert {"--admission-policy", "--quarantine", "--port"} <= {opt for param in serve.params for opt in param.opts}
    assert root.get_command(context, "serve-admission").hidden
    listed = invoke(["serve", "--help"]).stdout
    assert "admission" in listed.split("Commands")[1] and "quarantine" in listed.split("Commands")[1]
    assert "serve-admission" not in invoke(["--help"]).stdout
