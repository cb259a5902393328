"""The pure parts of ACR's quarantine flow (lifecycle/quarantine.py): the shared-secret check, reading the webhook,
and `quarantineDetails` in the documented scan-summary shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import pytest

from regwarden.lifecycle.quarantine import (
    RegistryNotServedError,
    check_secret,
    failure_details,
    quarantine_details,
    read_quarantine_webhook,
    secret_matches,
)
from regwarden.model.errors import BadInputError
from regwarden.model.quarantine import Condition, GateResult, ImageGate
from tests.lifecycle.conftest import DEMO_1_0, DEMO_1_1, quarantine_event

# ACR's quarantine flow documents quarantineDetails as a scan summary: a version and up to five
# [severity, count] pairs. Written here from that description; other keys are allowed.
SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["version", "summary"],
    "properties": {
        "version": {"type": "string"},
        "summary": {
            "type": "array",
            "items": {
                "type": "array",
                "maxItems": 5,
                "prefixItems": [
                    {"enum": ["Critical", "High", "Medium", "Low", "None"]},
                    {"type": "integer", "minimum": 0},
                ],
            },
        },
    },
}
NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
REGISTRY = "myreg.azurecr.io"


@pytest.mark.parametrize(
    ("header", "presented", "accepted"),
    [
        ("Authorization", "Bearer 0123456789abcdef", True),
        ("Authorization", " Bearer 0123456789abcdef ", True),
        ("Authorization", "0123456789abcdef", False),
        ("Authorization", "Bearer 0123456789abcdeF", False),
        ("Authorization", None, False),
        ("X-Hook-Secret", "0123456789abcdef", True),
        ("X-Hook-Secret", "Bearer 0123456789abcdef", False),
    ],
)
def test_the_secret_header(header: str, presented: str | None, accepted: bool) -> None:
    assert secret_matches(presented, "0123456789abcdef", header) is accepted


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(BadInputError, match="at least 16 characters"):
        check_secret("short")
    assert check_secret("x" * 16) == "x" * 16


def test_the_webhook_names_one_manifest_to_check() -> None:
    content = read_quarantine_webhook(quarantine_event(REGISTRY, "shop/web", DEMO_1_0, "1.4"), {REGISTRY})
    (request,) = content.requests
    assert (request.registry, request.repository, request.digest, request.tag) == (
        REGISTRY,
        "shop/web",
        DEMO_1_0,
        "1.4",
    )
    assert request.event_id == f"evt-{DEMO_1_0[7:19]}"
    assert (content.ignored, content.ping) == ((), False)


def test_a_registry_this_worker_does_not_serve_is_refused() -> None:
    with pytest.raises(RegistryNotServedError, match=r"evil\.example, which this worker does not serve"):
        read_quarantine_webhook(quarantine_event("evil.example", "shop/web", DEMO_1_0), {REGISTRY})


def test_push_events_are_ignored_and_pings_answered() -> None:
    push = json.loads(quarantine_event(REGISTRY, "shop/web", DEMO_1_0))
    push["action"] = "push"
    ignored = read_quarantine_webhook(json.dumps(push).encode(), {REGISTRY})
    assert (ignored.requests, ignored.ignored) == ((), ("push of shop/web: not a quarantine event",))
    ping = read_quarantine_webhook(b'{"action": "ping", "id": "1"}', {REGISTRY})
    assert ping.ping and ping.requests == ()


def test_details_of_a_failed_gate() -> None:
    result = GateResult(
        "high",
        (
            ImageGate(DEMO_1_0, "linux/amd64", {"critical": 1, "high": 5, "medium": 7}, 6),
            ImageGate(DEMO_1_1, "linux/arm64", {"low": 2, "info": 1}, 0),
        ),
        (Condition("registry posture (--fail-on high)", False, "1 rule(s) fail: RW-ACR-001"),),
    )
    document = json.loads(quarantine_details(result, scanner="regwarden 0.1.0", scanned_at=NOW))

    jsonschema.validate(document, SUMMARY_SCHEMA)
    assert document == {
        "version": "0.0.1",
        "summary": [["Critical", 1], ["High", 5], ["Medium", 7], ["Low", 2], ["None", 1]],
        "state": "scan failed",
        "scanner": "regwarden 0.1.0",
        "failOn": "high",
        "reasons": [
            "linux/amd64: 6 finding(s) at or above high",
            "registry posture (--fail-on high) failed: 1 rule(s) fail: RW-ACR-001",
        ],
        "images": [
            {"digest": DEMO_1_0, "platform": "linux/amd64", "passed": False},
            {"digest": DEMO_1_1, "platform": "linux/arm64", "passed": True},
        ],
        "scannedAt": "2026-12-08T09:30:00Z",
    }


def test_details_of_a_manifest_that_could_not_be_checked() -> None:
    document = json.loads(failure_details("the image could not be read: gone", scanner="regwarden", scanned_at=NOW))
    jsonschema.validate(document, SUMMARY_SCHEMA)
    assert (document["state"], document["reasons"]) == ("scan failed", ["the image could not be read: gone"])
    assert all(count == 0 for _, count in document["summary"])


def test_a_gate_passes_only_when_every_image_and_condition_does() -> None:
    clean = ImageGate(DEMO_1_1, "linux/amd64")
    assert GateResult("high", (clean,)).state == "Passed"
    assert GateResult("high", ()).reasons() == ("no runnable image in the manifest to scan",)
    unknown = Condition("registry posture", None, "export unreadable")
    assert GateResult("high", (clean,), (unknown,)).state == "Failed"
    unreadable = ImageGate(DEMO_1_0, None, error="layer 0 is not gzip")
    assert GateResult("high", (clean, unreadable)).reasons() == (
        f"{DEMO_1_0}: could not be scanned: layer 0 is not gzip",
    )
