"""`regwarden serve admission` as a process: it refuses a bad policy or missing TLS material before serving, answers
AdmissionReviews over HTTPS with one JSON log line per decision, picks up a renewed certificate without a restart,
and stops with exit 0 on SIGTERM. Its former spelling `serve-admission` still serves, with a warning."""

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
from cryptography import x509

from regwarden.web.admission import ADMISSION_PATH
from tests.admission.reviews import body_bytes, review
from tests.cli.cli_support import assert_clean_failure, run_process
from tests.support.registry import free_port, make_self_signed


def _policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "admission.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_bad_policy_or_unreadable_tls_material_is_exit_3_before_serving(tmp_path: Path) -> None:
    tls = make_self_signed(tmp_path / "tls")
    bad = _policy(tmp_path, "mode: block\nregistries: [myregistry.azurecr.io]\n")
    common = ["serve", "admission", "--tls-cert", str(tls.cert_path), "--tls-key", str(tls.key_path)]
    refused = run_process([*common, "--policy", str(bad)], tmp_path)
    assert_clean_failure(refused, 3, "mode: 'block'; expected one of: enforce, audit")
    good = _policy(tmp_path, "registries: [myregistry.azurecr.io]\n")
    no_key = run_process(
        ["serve", "admission", "--tls-cert", str(tls.cert_path), "--tls-key", str(tmp_path / "none.key"),
         "--policy", str(good)], tmp_path,
    )  # fmt: skip
    assert_clean_failure(no_key, 3, "--tls-key: cannot read", "none.key")


def _served_certificate(port: int) -> x509.Certificate:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, context.wrap_socket(raw) as wrapped:
        der = wrapped.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def _wait_for_health(url: str, cafile: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(url, verify=ssl.create_default_context(cafile=cafile), timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 60 s")


def test_the_command_serves_over_tls_logs_each_decision_reloads_a_renewed_certificate_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    tls = make_self_signed(tmp_path / "tls")
    policy = _policy(tmp_path, "registries: [myregistry.azurecr.io]\npinning: digest\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    command = [
        sys.executable, "-m", "regwarden", "serve", "admission", "--listen", f"127.0.0.1:{port}",
        "--tls-cert", str(tls.cert_path), "--tls-key", str(tls.key_path), "--policy", str(policy),
        "--db", str(tmp_path / "regwarden.db"), "--tls-reload-interval", "0.2",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env={**env, "HOME": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for_health(f"https://127.0.0.1:{port}/healthz", tls.cert_path, process)
        body = review("deployment-create", {"web": "evil.example/shop/web:1.4"})
        answer = httpx.post(
            f"https://127.0.0.1:{port}{ADMISSION_PATH}", content=body_bytes(body),
            verify=ssl.create_default_context(cafile=tls.cert_path),
        ).json()  # fmt: skip
        first = _served_certificate(port)
        renewed = make_self_signed(tmp_path / "renewed")
        tls.key_path.write_bytes(renewed.key_path.read_bytes())
        tls.cert_path.write_bytes(renewed.cert_path.read_bytes())
        deadline = time.monotonic() + 10
        while _served_certificate(port).serial_number == first.serial_number and time.monotonic() < deadline:
            time.sleep(0.1)
        second = _served_certificate(port)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert answer["response"]["uid"] == body["request"]["uid"]
    assert answer["response"]["status"]["message"] == (
        "regwarden denied Deployment shop/web: evil.example/shop/web:1.4: registry-not-allowed: evil.example/shop/web "
        "is not in the allowed registries (myregistry.azurecr.io); evil.example/shop/web:1.4: not-pinned: tag 1.4 is "
        "not pinned: name the image by digest (@sha256:…)"
    )
    assert (first.serial_number, second.serial_number) == (tls.cert.serial_number, renewed.cert.serial_number)
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"regwarden: admission webhook on https://127.0.0.1:{port}/admission/validate: ")
    decisions = [json.loads(line) for line in lines if line.startswith("{") and '"event":"admission"' in line]
    assert [(d["uid"], d["allowed"], d["reasons"]) for d in decisions] == [
        (body["request"]["uid"], False, ["not-pinned", "registry-not-allowed"])
    ]
    assert f"regwarden: TLS certificate reloaded from {tls.cert_path}" in lines
    assert lines[-1] == "regwarden: admission webhook stopped"


def test_the_former_spelling_serve_admission_still_serves_and_warns_once(tmp_path: Path) -> None:
    tls = make_self_signed(tmp_path / "tls")
    policy = _policy(tmp_path, "registries: [myregistry.azurecr.io]\npinning: digest\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    command = [
        sys.executable, "-m", "regwarden", "serve-admission", "--listen", f"127.0.0.1:{port}",
        "--tls-cert", str(tls.cert_path), "--tls-key", str(tls.key_path), "--policy", str(policy),
        "--db", str(tmp_path / "regwarden.db"),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env={**env, "HOME": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for_health(f"https://127.0.0.1:{port}/healthz", tls.cert_path, process)
        body = review("deployment-create", {"web": "myregistry.azurecr.io/shop/web@sha256:" + "ab" * 32})
        answer = httpx.post(
            f"https://127.0.0.1:{port}{ADMISSION_PATH}", content=body_bytes(body),
            verify=ssl.create_default_context(cafile=tls.cert_path),
        ).json()  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert (answer["response"]["uid"], answer["response"]["allowed"]) == (body["request"]["uid"], True)
    lines = err.strip().splitlines()
    warnings = [line for line in lines if "deprecated" in line]
    assert warnings == [
        "regwarden: warning: `serve-admission` is deprecated: use `regwarden serve admission` (same options)"
    ]
    assert lines[0] == warnings[0] and lines[-1] == "regwarden: admission webhook stopped"
