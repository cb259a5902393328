"""The admission webhook against real parts: the CNCF registry with images signed here (Notation JWS through the
signing API, as `regwarden sign` does), the bundled samples and advisory snapshot in SQLite, and the webhook itself
served by uvicorn over real TLS (a self-signed certificate the client verifies).

`webhook(policy)` starts a server for one policy and yields a `Webhook`: `review(body)` posts an AdmissionReview
and returns the parsed answer, `lines` holds the decision log's JSON lines, `controller` the running controller.
"""

from __future__ import annotations

import json
import shutil
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from regwarden.model.admission import AdmissionMode
from regwarden.oci.registry_source import connect
from regwarden.service.admission import AdmissionController, AdmissionSettings
from regwarden.service.images import ImageOptions
from regwarden.service.sign import load_signing_key, sign_image
from regwarden.web.admission import ADMISSION_PATH, admission_app
from tests.cli.cli_support import invoke
from tests.signing import pki
from tests.support.registry import RunningRegistry, SelfSignedCert, free_port, make_self_signed, push

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DEMO_1_0 = SAMPLES / "demo.oci.tar"
DEMO_1_1 = SAMPLES / "demo-1.1.oci.tar"


@dataclass(frozen=True)
class Images:
    """Image references in the test registry (by tag) and their digests."""

    signed: str
    """demo 1.1 (no finding at or above high), signed by the trusted CI key."""
    vulnerable: str
    """demo 1.0 (findings at or above high), signed by the trusted CI key."""
    unsigned: str
    stranger: str
    """demo 1.1 signed by a key whose chain no trust store holds."""
    digests: dict[str, str]


@dataclass
class Webhook:
    url: str
    client: httpx.Client
    lines: list[dict[str, Any]]
    controller: AdmissionController

    def review(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.client.post(self.url + ADMISSION_PATH, content=json.dumps(body).encode())
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        parsed: dict[str, Any] = answer.json()
        return parsed

    def decisions(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("event") == "admission"]


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CI signing key and chain, a stranger's, the trust store and a Notary Project trust policy."""
    directory = tmp_path_factory.mktemp("admission-trust")
    root = pki.root("CI Root")
    middle = pki.intermediate(root, "CI Intermediate")
    signer = pki.leaf(middle, "ci-signer")
    (directory / "signer.key").write_bytes(signer.key_pem)
    (directory / "chain.pem").write_bytes(signer.pem + middle.pem + root.pem)
    stranger_root = pki.root("Stranger Root")
    stranger = pki.leaf(stranger_root, "ci-signer")
    (directory / "stranger.key").write_bytes(stranger.key_pem)
    (directory / "stranger.pem").write_bytes(stranger.pem + stranger_root.pem)
    store = directory / "truststore" / "x509" / "ca" / "ci"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(root.pem)
    statement = {
        "name": "ci",
        "registryScopes": ["*"],
        "signatureVerification": {"level": "strict"},
        "trustStores": ["ca:ci"],
        "trustedIdentities": ["x509.subject: C=US, ST=WA, O=regwarden-test, CN=ci-signer"],
    }
    (directory / "trustpolicy.json").write_text(json.dumps({"version": "1.0", "trustPolicies": [statement]}))
    return directory


@pytest.fixture(scope="module")
def images(registry: RunningRegistry, trust: Path) -> Images:
    refs = {
        "signed": f"{registry.host}/admission/web:1.1",
        "vulnerable": f"{registry.host}/admission/web:1.0",
        "unsigned": f"{registry.host}/admission/unsigned:1.1",
        "stranger": f"{registry.host}/admission/stranger:1.1",
    }
    for name, archive in (
        ("signed", DEMO_1_1),
        ("vulnerable", DEMO_1_0),
        ("unsigned", DEMO_1_1),
        ("stranger", DEMO_1_1),
    ):
        push(f"oci-archive:{archive}", refs[name], "oci")
    digests: dict[str, str] = {}
    with connect(registry.host, insecure=True) as client:
        for name, key, chain in (
            ("signed", "signer.key", "chain.pem"),
            ("vulnerable", "signer.key", "chain.pem"),
            ("stranger", "stranger.key", "stranger.pem"),
        ):
            outcome = sign_image(refs[name], load_signing_key(trust / key), trust / chain, client)
            digests[name] = outcome.subject_digest
        repository = refs["unsigned"].split("/", 1)[1].rsplit(":", 1)[0]
        digests["unsigned"] = client.get_manifest(repository, "1.1").digest
    return Images(**refs, digests=digests)


@pytest.fixture(scope="module")
def advisory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding the bundled advisory snapshot (the inventory starts empty)."""
    path = tmp_path_factory.mktemp("admission-db") / "template.db"
    outcome = invoke(["db", "import", str(SAMPLES / "advisories"), "--db", str(path)])
    assert outcome.code == 0, outcome.stderr
    return path


@pytest.fixture
def database(advisory_db: Path, tmp_path: Path) -> str:
    """A fresh copy of the advisory database for one test (so the inventory starts empty every time)."""
    copy = tmp_path / "regwarden.db"
    shutil.copyfile(advisory_db, copy)
    return str(copy)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    return make_self_signed(tmp_path_factory.mktemp("admission-tls"))


def write_policy(directory: Path, trust: Path, body: dict[str, Any]) -> Path:
    """An admission policy file; `signatures: ci` stands for the trust material above."""
    document = dict(body)
    if document.get("signatures") == "ci":
        document["signatures"] = {"policy": str(trust / "trustpolicy.json")}
    path = directory / "admission-policy.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@contextmanager
def serve(
    policy: Path,
    tls: SelfSignedCert,
    database: str,
    *,
    mode: AdmissionMode | None = None,
    config: Path | None = None,
    timeout: float = 5.0,
) -> Iterator[Webhook]:
    """The admission app under a real uvicorn with TLS on 127.0.0.1, until the block ends."""
    lines: list[dict[str, Any]] = []
    settings = AdmissionSettings(policy, mode, database, config, ImageOptions(insecure=True, timeout=timeout))
    app = admission_app(settings, log=lambda line: lines.append(json.loads(line)))
    port = free_port()
    config_ = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ssl_certfile=str(tls.cert_path),
                             ssl_keyfile=str(tls.key_path))  # fmt: skip
    server = uvicorn.Server(config_)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{port}"
    client = httpx.Client(verify=ssl.create_default_context(cafile=tls.cert_path), timeout=30)
    try:
        _wait_until_up(client, url, thread)
        yield Webhook(url, client, lines, app.state.admission)
    finally:
        client.close()  # first: a TLS connection left open holds uvicorn's shutdown until the peer's close_notify
        server.should_exit = True
        thread.join(15)
    assert not thread.is_alive()


def _wait_until_up(client: httpx.Client, url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert thread.is_alive(), "the admission server stopped during start-up"
        try:
            if client.get(url + "/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail("the admission server did not answer /healthz within 30 s")
