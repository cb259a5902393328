"""Registry notifications → RegistryEvents, from fixtures written after each sender's documented payloads.

testdata/ holds our own payloads with the documented field structure: ACR webhooks (push, delete, chart_push,
quarantine), Event Grid (Event Grid schema and CloudEvents 1.0, plus the subscription validation handshake) and
a CNCF distribution envelope with every action 2.8 sends (push, pull, mount, and both halves of a delete).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regwarden.collect.registry import ParsedEvents, parse_registry_events
from regwarden.model.catalog import RegistryEvent
from regwarden.model.errors import BadInputError

TESTDATA = Path(__file__).parent / "testdata"
ACR = "contosoprod.azurecr.io"
PRIVATE = "registry.example.internal:5000"
WEB_14 = "sha256:067dde1c9d1bb10f2edd5814777e63d4d806293256ff50c66bea619b013dd1d6"
WEB_15 = "sha256:ffacd4a555e482bd4017a8b472fbf0af38ad61a5f9f395e59a1a2f56ed54b01d"
WEB_LAYER = "sha256:ef20652784f996f71d7cd246202010e46067985f2f548acac018b299485fd2ee"
CHART = "sha256:6da23f895d0793c5e8042f8de7878be306831d1071f23125ff002db1834464e9"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def parse(name: str, registry: str | None = None) -> ParsedEvents:
    return parse_registry_events((TESTDATA / name).read_bytes(), registry=registry)


def summary(events: tuple[RegistryEvent, ...]) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    return [(e.action, e.registry, e.repository, e.digest, e.tag, e.kind) for e in events]


def test_acr_push_webhook() -> None:
    parsed = parse("acr_webhook_push.json")
    assert parsed == ParsedEvents(
        events=(
            RegistryEvent(
                action="push",
                registry=ACR,
                repository="shop/web",
                digest=WEB_14,
                tag="1.4",
                media_type=OCI_MANIFEST,
                size=1187,
                timestamp="2025-03-14T09:26:53.5897932Z",
                event_id="e9d0ba88-6e34-45b7-b2b4-2a67a34d904a",
                source_format="acr-webhook",
                kind="manifest",
            ),
        )
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("acr_webhook_delete.json", ("delete", ACR, "shop/web", WEB_14, None, "manifest")),
        ("acr_webhook_quarantine.json", ("quarantine", ACR, "shop/web", WEB_15, "1.5", "manifest")),
        # Chart events carry no `request`: the host is the one the caller says the webhook belongs to.
        ("acr_webhook_chart_push.json", ("chart_push", ACR, "charts", CHART, "shop-2.1.0.tgz", "manifest")),
    ],
)
def test_other_acr_webhook_actions(name: str, expected: tuple[str, ...]) -> None:
    parsed = parse(name, registry="ContosoProd.azurecr.io")
    assert summary(parsed.events) == [expected]
    assert parsed.skipped == ()


def test_acr_quarantine_webhook_has_no_media_type_but_a_size_from_length() -> None:
    (event,) = parse("acr_webhook_quarantine.json").events
    assert (event.media_type, event.size) == (None, 1187)


def test_chart_event_without_a_known_registry_is_bad_input() -> None:
    with pytest.raises(BadInputError, match=r"event: names no registry \(`request.host`\)"):
        parse("acr_webhook_chart_push.json")


def test_event_grid_schema_batch() -> None:
    parsed = parse("event_grid_batch.json", registry=ACR)
    assert summary(parsed.events) == [
        ("push", ACR, "shop/web", WEB_15, "1.5", "manifest"),
        ("delete", ACR, "shop/web", WEB_14, None, "manifest"),
        ("chart_push", ACR, "charts", CHART, "shop-2.1.0.tgz", "manifest"),
    ]
    assert {e.source_format for e in parsed.events} == {"event-grid"}
    # The registry's own event id and time, not Event Grid's delivery envelope.
    assert (parsed.events[0].event_id, parsed.events[0].timestamp) == (
        "af65415b-c1d1-4710-a7c8-3cbddfc94a8e",
        "2025-03-16T12:00:00.9876543Z",
    )


def test_cloudevents_schema_batch() -> None:
    parsed = parse("cloudevents_batch.json")
    assert summary(parsed.events) == [
        ("push", ACR, "shop/web", WEB_15, "1.5", "manifest"),
        ("delete", ACR, "shop/web", WEB_14, None, "manifest"),
    ]
    assert {e.source_format for e in parsed.events} == {"cloudevents"}


def test_single_cloudevent_in_structured_mode() -> None:
    batch = json.loads((TESTDATA / "cloudevents_batch.json").read_text())
    parsed = parse_registry_events(json.dumps(batch[0]).encode())
    assert summary(parsed.events) == [("push", ACR, "shop/web", WEB_15, "1.5", "manifest")]


def test_envelope_fields_fill_in_what_the_data_leaves_out() -> None:
    batch = json.loads((TESTDATA / "event_grid_batch.json").read_text())
    data = batch[0]["data"]
    del data["id"], data["timestamp"], data["action"]
    (event,) = parse_registry_events(json.dumps(batch[:1]).encode()).events
    assert (event.action, event.event_id, event.timestamp) == (
        "push",
        "dedd260e-ca97-47d9-b0fb-bca0f1a383ae",
        "2025-03-16T12:00:01.1000000Z",
    )


def test_event_grid_validation_handshake_is_reported_not_an_error() -> None:
    assert parse("event_grid_validation.json") == ParsedEvents(
        events=(), skipped=(), validation_code="8F2D6C1E-4B7A-4E3F-9A0C-5D1B2E7F6A93"
    )


def test_validation_event_without_a_code_is_bad_input() -> None:
    batch = json.loads((TESTDATA / "event_grid_validation.json").read_text())
    del batch[0]["data"]["validationCode"]
    with pytest.raises(BadInputError, match=r"\[0\]: subscription validation event without `data.validationCode`"):
        parse_registry_events(json.dumps(batch).encode())


def test_distribution_envelope_keeps_every_action() -> None:
    parsed = parse("distribution_envelope.json")
    assert summary(parsed.events) == [
        ("push", PRIVATE, "shop/web", WEB_LAYER, None, "blob"),
        ("push", PRIVATE, "shop/web", WEB_14, "1.4", "manifest"),
        ("pull", PRIVATE, "shop/web", WEB_14, "1.4", "manifest"),
        ("mount", PRIVATE, "shop/web-canary", WEB_LAYER, None, "blob"),
        # A manifest delete is announced twice: by digest, then once per tag it removed.
        ("delete", PRIVATE, "shop/web", WEB_14, None, None),
        ("delete", PRIVATE, "shop/web", None, "1.4", None),
    ]
    assert {e.source_format for e in parsed.events} == {"distribution"}
    assert [e.media_type for e in parsed.events[:2]] == ["application/octet-stream", OCI_MANIFEST]


def test_batch_with_unusable_events_keeps_the_good_ones_and_says_why() -> None:
    parsed = parse("event_grid_partly_unusable.json")
    assert summary(parsed.events) == [("push", ACR, "shop/web", WEB_15, "1.5", "manifest")]
    assert parsed.skipped == (
        "[1]: `push` of shop/api names no digest (`target.digest`)",
        "[2]: event type 'Microsoft.Storage.BlobCreated' is not a container registry event",
        "[3]: `target.digest` 'sha256:xxxxd5c8786bb9e621' is not a valid digest",
    )


def _acr_push(**target_changes: object) -> bytes:
    payload = json.loads((TESTDATA / "acr_webhook_push.json").read_text())
    payload["target"].update(target_changes)
    payload["target"] = {k: v for k, v in payload["target"].items() if v is not None}
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", r"registry notification is not valid JSON"),
        (b"\xff\xfe", r"registry notification is not valid JSON"),
        (b'"push"', r"registry notification is a JSON str; expected an ACR webhook"),
        (b'{"hello": "world"}', r"unknown shape \(keys \['hello'\]\)"),
        (b'{"events": {"id": 1}}', r"`events` must be an array, got dict"),
        (b"[1, 2]", r"\[0\]: is a JSON int, not an event object; \[1\]: is a JSON int"),
        (b'[{"id": "x"}]', r"\[0\]: is neither an Event Grid event \(eventType\) nor a CloudEvent"),
        (b'{"events": ["push"]}', r"events\[0\]: is a JSON str, not an object"),
        (b'{"action": "push", "target": "web"}', r"event: has no `target` object"),
        (_acr_push(digest=None), r"`push` of shop/web names no digest"),
        (_acr_push(repository=None), r"has no `target.repository`"),
        (_acr_push(repository="Shop/Web"), r"`target.repository` 'Shop/Web' is not a valid repository name"),
        (_acr_push(digest="sha256:abc"), r"`target.digest` 'sha256:abc' is not a valid digest"),
        (_acr_push(digest="md5 hash"), r"`target.digest` 'md5 hash' is not a valid digest"),
        (_acr_push(tag="-bad tag"), r"`target.tag` '-bad tag' is not a valid tag"),
        (_acr_push(size=-1), r"`target.size` must be a non-negative integer, got -1"),
        (_acr_push(size=True), r"`target.size` must be a non-negative integer, got True"),
        (_acr_push(mediaType=7), r"`target.mediaType` must be a string, got int"),
    ],
)
def test_bad_input_names_what_is_wrong(payload: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_registry_events(payload)


def test_delete_with_neither_digest_nor_tag_is_unusable() -> None:
    body = {"events": [{"action": "delete", "target": {"repository": "shop/web"}, "request": {"host": PRIVATE}}]}
    with pytest.raises(BadInputError, match=r"events\[0\]: `delete` of shop/web names neither a digest nor a tag"):
        parse_registry_events(json.dumps(body).encode())


@pytest.mark.parametrize(
    ("record_change", "message"),
    [
        ({"timestamp": "yesterday"}, r"`timestamp` 'yesterday' is not an RFC 3339 time"),
        ({"request": {"host": "evil.example/path"}}, r"`request.host` 'evil.example/path' is not a host\[:port\]"),
        ({"action": None}, r"has no `action`"),
    ],
)
def test_bad_record_fields(record_change: dict[str, object], message: str) -> None:
    payload = json.loads((TESTDATA / "acr_webhook_push.json").read_text())
    payload.update(record_change)
    with pytest.raises(BadInputError, match=message):
        parse_registry_events(json.dumps(payload).encode())


def test_empty_batches_are_empty_not_errors() -> None:
    assert parse_registry_events(b"[]") == ParsedEvents(events=())
    assert parse_registry_events(b'{"events": []}') == ParsedEvents(events=())


def test_hosts_are_lower_cased_and_actions_too() -> None:
    payload = json.loads((TESTDATA / "acr_webhook_push.json").read_text())
    payload["action"], payload["request"]["host"] = "PUSH", "ContosoProd.AzureCR.io"
    (event,) = parse_registry_events(json.dumps(payload).encode()).events
    assert (event.action, event.registry) == ("push", ACR)
