"""`ingest-event`: an ACR push webhook naming an image in the real test registry is catalogued under its tag; a
delete ends the tag; an Event Grid handshake is answered; unusable input is an error (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from regwarden.store import open_store
from regwarden.store.inventory_schema import tag_history
from tests.cli.cli_support import invoke
from tests.support.registry import RunningRegistry, push

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "samples" / "demo.oci.tar"
DEMO_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
TESTDATA = REPO / "tests" / "collect" / "registry" / "testdata"


def acr_webhook(action: str, host: str, repository: str, digest: str | None, tag: str | None) -> dict[str, object]:
    """An ACR webhook body as ACR's webhook reference documents it."""
    target: dict[str, object] = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "repository": repository}
    if digest:
        target |= {"digest": digest, "size": 1057, "length": 1057}
    if tag:
        target["tag"] = tag
    return {
        "id": "5c2e7a1b-6d9f-4e3a-8b1c-0f4d2e9a7b63",
        "timestamp": "2026-12-07T10:00:00.1234567Z",
        "action": action,
        "target": target,
        "request": {"id": "0d9e", "host": host, "method": "PUT", "useragent": "buildkit/v0.13"},
    }


def test_a_push_is_catalogued_and_a_delete_ends_the_tag(tmp_path: Path, registry: RunningRegistry) -> None:
    push(f"oci-archive:{DEMO}", f"{registry.host}/events/web:1.0", "oci")
    db = str(tmp_path / "inventory.db")
    body = tmp_path / "push.json"
    body.write_text(json.dumps(acr_webhook("push", registry.host, "events/web", DEMO_DIGEST, "1.0")))
    outcome = invoke(["ingest-event", str(body), "--insecure", "--db", db, "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert [(c["digest"], c["new"], c["error"]) for c in document["catalogued"]] == [(DEMO_DIGEST, True, None)]
    assert (document["deleted"], document["ignored"], document["skipped"]) == ([], [], [])

    body.write_text(json.dumps(acr_webhook("delete", registry.host, "events/web", None, "1.0")))
    deleted = invoke(["ingest-event", str(body), "--insecure", "--db", db, "-o", "json"])
    assert json.loads(deleted.stdout)["deleted"] == [f"delete {registry.host}/events/web:1.0"]
    with open_store(db) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(tag_history.c.tag, tag_history.c.digest, tag_history.c.moved_at)).all()
    assert [(row.tag, row.digest, row.moved_at is not None) for row in rows] == [("1.0", DEMO_DIGEST, True)]


def test_a_push_whose_image_cannot_be_read_is_recorded_and_exits_4(tmp_path: Path, registry: RunningRegistry) -> None:
    missing = "sha256:" + "0" * 64
    body = tmp_path / "push.json"
    body.write_text(json.dumps(acr_webhook("push", registry.host, "events/none", missing, "1.0")))
    db = str(tmp_path / "inventory.db")
    outcome = invoke(["ingest-event", str(body), "--insecure", "--db", db])
    assert outcome.code == 4
    assert f"{registry.host}/events/none@{missing}: failed:" in outcome.stdout
    with open_store(db) as store:
        assert store.catalog.statuses([missing]) == {missing: "failed"}


def test_the_event_grid_handshake_is_answered(tmp_path: Path) -> None:
    outcome = invoke(["ingest-event", str(TESTDATA / "event_grid_validation.json"), "--db", str(tmp_path / "i.db")])
    assert outcome.code == 0
    assert json.loads(outcome.stdout) == {"validationResponse": "8F2D6C1E-4B7A-4E3F-9A0C-5D1B2E7F6A93"}


def test_pulls_mounts_and_blob_pushes_change_nothing_and_say_so(tmp_path: Path) -> None:
    envelope = json.loads((TESTDATA / "distribution_envelope.json").read_text())
    envelope["events"] = [
        e
        for e in envelope["events"]
        if e["action"] in ("pull", "mount") or (e["target"].get("tag") is None and e["action"] == "push")
    ]
    body = tmp_path / "envelope.json"
    body.write_text(json.dumps(envelope))
    outcome = invoke(["ingest-event", str(body), "--db", str(tmp_path / "i.db"), "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert document["catalogued"] == []
    assert [(entry["event"].split(" ")[0], entry["reason"]) for entry in document["ignored"]] == [
        ("push", "a blob event: images are catalogued from their manifest pushes"),
        ("pull", "`pull` does not change what the registry holds"),
        ("mount", "a blob event: images are catalogued from their manifest pushes"),
    ]


def test_unusable_input_is_bad_input(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"hello": "world"}')
    outcome = invoke(["ingest-event", str(body), "--db", str(tmp_path / "i.db")])
    assert outcome.code == 3
    assert "regwarden: error:" not in outcome.stdout
