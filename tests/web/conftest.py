"""The server under test: a store holding the bundled demo data (both sample builds catalogued and placed under
a repository and tags, two sample clusters, the advisory snapshot and its update, a recorded ACR audit), three
users (admin, triager, viewer) and an app driven through Starlette's TestClient.

The SQLite demo database is built once per session and copied for each test (cataloguing is the slow part);
`pg_demo_url` builds it on PostgreSQL for the tests that run on both.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from regwarden.model.access import Role
from regwarden.service.accounts import add_user
from regwarden.store import Store, open_store
from regwarden.web.app import create_app
from regwarden.web.settings import RateLimits, ServerSettings, WebhookSecrets
from tests.cli.cli_support import invoke

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
IMAGE_REPO = "regwardendemo.azurecr.io/shop/web"
PASSWORDS = {"admin": "admin password 1", "triager": "triager password 1", "viewer": "viewer password 1"}
WEBHOOK_SECRET = "webhook shared secret for tests"
BASE_URL = "http://127.0.0.1:8080"


def build_demo(db: str) -> None:
    """The demo's data (scripts/demo.sh), through the CLI as a user would load it."""
    steps = [
        ["db", "import", str(SAMPLES / "advisories")],
        ["inventory", "add", f"oci-archive:{SAMPLES / 'demo.oci.tar'}", "--repo", IMAGE_REPO, "--tag", "1.0"],
        ["inventory", "add", f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", "--repo", IMAGE_REPO, "--tag", "1.1"],
        ["sync", "k8s", "--from", str(SAMPLES / "cluster/aks-prod.json"), "--cluster", "aks-prod-weu", "--no-catalog"],
        ["sync", "k8s", "--from", str(SAMPLES / "cluster/aks-dev.json"), "--cluster", "aks-dev-weu", "--no-catalog"],
        ["db", "import", str(SAMPLES / "advisory-update")],
    ]
    for step in steps:
        outcome = invoke([*step, "--db", db])
        assert outcome.code == 0, (step, outcome.stderr)
    audit = [
        "audit",
        "acr",
        "--config",
        str(SAMPLES / "acr/posture.yaml"),
        "--from",
        str(SAMPLES / "acr/weak-registry.json"),
    ]
    audit += ["--from", str(SAMPLES / "acr/hardened-registry.json"), "--record", "--db", db, "-o", "json"]
    assert invoke(audit).code == 1  # the weak registry fails the gate; the results are recorded all the same
    with open_store(db) as store:
        for name, password in PASSWORDS.items():
            add_user(store, name, Role(name), password, actor="test")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo(f"sqlite:///{path}")
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> str:
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_template, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def pg_demo_db(postgres_url: str) -> str:
    build_demo(postgres_url)
    return postgres_url


@dataclass
class Server:
    client: TestClient
    store: Store

    def sign_in(self, name: str, password: str | None = None) -> None:
        page = self.client.get("/login")
        assert page.status_code == 200
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": name, "password": password or PASSWORDS[name], "next": "/", "csrf_token": token}
        response = self.client.post("/login", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text

    def csrf(self) -> str:
        """The signed-in session's CSRF token, as the pages carry it."""
        page = self.client.get("/")
        return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def settings_for(db: str, **overrides: object) -> ServerSettings:
    values: dict[str, object] = {
        "db_url": db,
        "public_url": BASE_URL,
        "jobs": False,
        "webhooks": WebhookSecrets(acr=WEBHOOK_SECRET, distribution=WEBHOOK_SECRET),
        "rate_limits": RateLimits(logins_per_minute=1000, webhooks_per_minute=1000, ingest_per_minute=1000),
    }
    values.update(overrides)
    return ServerSettings(**values)  # type: ignore[arg-type]


def serve(db: str, **overrides: object) -> Iterator[Server]:
    with (
        open_store(db) as store,
        TestClient(create_app(settings_for(db, **overrides), store), base_url=BASE_URL) as client,
    ):
        yield Server(client, store)


@pytest.fixture
def server(demo_db: str) -> Iterator[Server]:
    yield from serve(demo_db)
