"""Ingest: SBOMs and scans from CI (a token of scope ingest), `scan --record --server` against a live server,
and registry push webhooks (shared secret) catalogued by the background jobs from a real registry."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from regwarden.model.access import Role, Scope
from regwarden.service.accounts import add_user
from regwarden.service.api_tokens import issue_token
from regwarden.store import open_store
from tests.cli.cli_support import invoke
from tests.support.live_server import free_port, live_server
from tests.support.registry import RunningRegistry, push
from tests.web.conftest import SAMPLES, WEBHOOK_SECRET, Server, serve, settings_for

NEW_DIGEST = "sha256:" + "1" * 64
V10 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
HOOK = {"Authorization": f"Bearer {WEBHOOK_SECRET}"}


def _ingester(server: Server) -> dict[str, str]:
    secret = issue_token(server.store, "triager", "ci-shop", frozenset({Scope.INGEST}), actor="test").secret
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def _sbom_of_11() -> bytes:
    outcome = invoke(["sbom", f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", "-o", "cyclonedx-json"])
    assert outcome.code == 0
    return outcome.stdout.encode()


def test_an_sbom_from_ci_is_catalogued_matched_placed_and_audited(server: Server) -> None:
    params = {"repo": "regwardendemo.azurecr.io/shop/api", "tag": "2.0", "digest": NEW_DIGEST}
    response = server.client.post("/api/v1/sboms", params=params, content=_sbom_of_11(), headers=_ingester(server))
    assert response.status_code == 201, response.text
    assert response.json() == {"digest": NEW_DIGEST, "new": True, "findings": 0}  # its packages were matched before
    places = server.store.impact.places([NEW_DIGEST])[NEW_DIGEST]
    assert [(p.registry, p.repository, p.tags) for p in places] == [("regwardendemo.azurecr.io", "shop/api", ("2.0",))]
    assert {f.vuln_id for f in server.store.history.open_findings(NEW_DIGEST)} == {"CVE-2024-34064"}
    trail = server.store.audit_log.recent(action="ingest.sbom")
    assert [(e.actor, e.target) for e in trail] == [("token:ci-shop (triager)", NEW_DIGEST)]
    again = server.client.post("/api/v1/sboms", params=params, content=_sbom_of_11(), headers=_ingester(server))
    assert again.json()["new"] is False


def test_a_malformed_sbom_is_400_and_records_nothing(server: Server) -> None:
    headers = _ingester(server)
    before = server.store.audit_log.count()
    for body in (b"{not json", b'{"hello": "world"}', b"[]"):
        response = server.client.post("/api/v1/sboms", content=body, headers=headers)
        assert response.status_code == 400, body
    params = {"digest": NEW_DIGEST, "repo": "no-registry-here"}
    bad_place = server.client.post("/api/v1/sboms", params=params, content=_sbom_of_11(), headers=headers)
    assert bad_place.status_code == 400
    assert server.store.catalog.statuses([NEW_DIGEST]) == {}
    assert server.store.audit_log.count() == before  # nothing happened, so nothing is in the trail


def test_scan_record_server_sends_the_sbom_to_a_live_server(tmp_path: Path) -> None:
    server_db = f"sqlite:///{tmp_path / 'server.db'}"
    assert invoke(["db", "import", str(SAMPLES / "advisories"), "--db", server_db]).code == 0
    with open_store(server_db) as store:
        add_user(store, "ci", Role.TRIAGER, None, actor="test")
        secret = issue_token(store, "ci", "pipeline", frozenset({Scope.INGEST}), actor="test").secret
    scan_db = str(tmp_path / "ci.db")
    assert invoke(["db", "import", str(SAMPLES / "advisories"), "--db", scan_db]).code == 0
    port = free_port()
    with live_server(settings_for(server_db, public_url=f"http://127.0.0.1:{port}"), port) as url:
        target = f"oci-archive:{SAMPLES / 'demo.oci.tar'}"
        args = [
            "scan",
            target,
            "--db",
            scan_db,
            "--record",
            "--server",
            url,
            "--repo",
            "myreg.azurecr.io/web",
            "--tag",
            "7",
        ]
        outcome = invoke([*args, "--token", secret, "-o", "json"])
        assert outcome.code == 0, outcome.stderr
        assert f"recorded {V10} on {url} (catalogued)" in outcome.stderr
        refused = invoke([*args, "--token", "rwt_0000_nope", "-o", "json"])
        assert refused.code == 5
    with open_store(server_db) as store:
        assert store.catalog.statuses([V10]) == {V10: "catalogued"}
        assert store.impact.places([V10])[V10][0].tags == ("7",)
        assert len(store.history.open_findings(V10)) == 13  # matched by the server, against its own advisories
        assert [e.actor for e in store.audit_log.recent(action="ingest.scan")] == ["token:pipeline (ci)"]


def test_webhooks_need_their_secret_and_a_bounded_valid_body(server: Server) -> None:
    envelope = (Path(__file__).parents[1] / "collect/registry/testdata/distribution_envelope.json").read_bytes()
    assert server.client.post("/webhooks/distribution", content=envelope).status_code == 401
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert server.client.post("/webhooks/distribution", content=envelope, headers=wrong).status_code == 401
    assert server.client.post("/webhooks/acr", content=b"not json", headers=HOOK).status_code == 400
    big = b"{" + b" " * (1024 * 1024) + b"}"
    assert server.client.post("/webhooks/acr", content=big, headers=HOOK).status_code == 413
    queued = server.client.post("/webhooks/distribution", content=envelope, headers=HOOK)
    assert (queued.status_code, queued.json()) == (202, {"queued": True, "validationResponse": None})
    assert [(e.actor, e.detail) for e in server.store.audit_log.recent(action="webhook.queued")] == [
        ("webhook:distribution", {"events": 6})
    ]


def test_the_event_grid_handshake_is_answered(server: Server) -> None:
    body = (Path(__file__).parents[1] / "collect/registry/testdata/event_grid_validation.json").read_bytes()
    response = server.client.post("/webhooks/acr", content=body, headers=HOOK)
    assert response.json() == {"queued": False, "validationResponse": "8F2D6C1E-4B7A-4E3F-9A0C-5D1B2E7F6A93"}


def test_a_webhook_without_a_configured_secret_is_not_served(demo_db: str) -> None:
    from regwarden.web.settings import WebhookSecrets

    for server in serve(demo_db, webhooks=WebhookSecrets()):
        assert server.client.post("/webhooks/acr", content=b"{}", headers=HOOK).status_code == 404


@pytest.mark.registry
def test_a_pushed_image_is_catalogued_by_the_background_jobs(demo_db: str, registry: RunningRegistry) -> None:
    push(f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", f"{registry.host}/hooks/web:9.9", "oci")
    digest = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
    event = {"events": [{"id": "e1", "timestamp": "2026-12-08T00:00:00Z", "action": "push",
             "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": 1,
                        "repository": "hooks/web", "tag": "9.9"},
             "request": {"id": "r1", "host": registry.host, "method": "PUT"}}]}  # fmt: skip
    for server in serve(demo_db, jobs=True, insecure_registries=True):
        response = server.client.post("/webhooks/distribution", content=json.dumps(event), headers=HOOK)
        assert response.status_code == 202
        deadline = time.monotonic() + 60
        while not server.store.impact.places([digest]).get(digest, [])[1:] and time.monotonic() < deadline:
            time.sleep(0.2)
        places = {(p.registry, p.repository, p.tags) for p in server.store.impact.places([digest])[digest]}
        assert (registry.host, "hooks/web", ("9.9",)) in places
