"""A Slack incoming-webhook message for one event: `text` (the notification and fallback) and Block Kit `blocks`.

Blocks: a header (plain text, at most 150 characters), the summary (mrkdwn section, at most 3,000), the facts as
section fields (at most 10, each at most 2,000) and a context line. Text from the event is escaped as Slack's
formatting rules require (`&`, `<`, `>`), so a package or image name can never become a link or a mention.
"""

from __future__ import annotations

import json

from regwarden.model.inventory import Event
from regwarden.report.notify_common import event_view, shorten

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
MAX_FIELDS = 10


def render(event: Event) -> bytes:
    view = event_view(event)
    icon = ":rotating_light:" if view.affected else ":white_check_mark:"
    fields = [
        {"type": "mrkdwn", "text": shorten(f"*{label}*\n{_escape(value)}", FIELD_LIMIT)}
        for label, value in view.facts[:MAX_FIELDS]
    ]
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": shorten(view.title, HEADER_LIMIT), "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": shorten(f"{icon} {_escape(view.summary)}", SECTION_LIMIT)},
        },
    ]
    if fields:
        blocks.append({"type": "section", "fields": fields})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(view.footer)}]})
    message = {"text": shorten(_escape(view.summary), SECTION_LIMIT), "blocks": blocks}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def _escape(text: str) -> str:
    """The three characters Slack's mrkdwn reserves for links, mentions and its own escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
