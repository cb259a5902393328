"""A Microsoft Teams message for one event: one Adaptive Card (schema 1.4) in the message envelope that Teams
Workflows ("post to a channel when a webhook request is received") and incoming webhooks accept:

`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
"content": <AdaptiveCard>}]}`

The card: a bold title (red for a new exposure, green for a resolution), the summary, a FactSet, a subtle footer.
Version 1.4 because every Teams client renders it.
"""

from __future__ import annotations

import json

from regwarden.model.inventory import Event
from regwarden.report.notify_common import event_view

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def render(event: Event) -> bytes:
    message = {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": adaptive_card(event)}],
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def adaptive_card(event: Event) -> dict[str, object]:
    view = event_view(event)
    body: list[dict[str, object]] = [
        {
            "type": "TextBlock",
            "text": view.title,
            "size": "Medium",
            "weight": "Bolder",
            "color": "Attention" if view.affected else "Good",
            "wrap": True,
        },
        {"type": "TextBlock", "text": view.summary, "wrap": True},
    ]
    if view.facts:
        body.append({"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in view.facts]})
    body.append({"type": "TextBlock", "text": view.footer, "size": "Small", "isSubtle": True, "wrap": True})
    return {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}
