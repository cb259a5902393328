"""Registry push notifications → RegistryEvents, recognising the sender by the shape of its JSON.

Shapes read (each documented by its sender):
- ACR webhook: one event object `{"id", "timestamp", "action", "target", "request"}`; actions `push`, `delete`,
  `chart_push`, `chart_delete`, `quarantine`.
- Azure Event Grid, Event Grid schema: an array of `{"id", "topic", "subject", "eventType", "eventTime", "data"}`
  where `eventType` is `Microsoft.ContainerRegistry.ImagePushed` / `ImageDeleted` / `ChartPushed` /
  `ChartDeleted` and `data` is the ACR event object; or the subscription validation handshake
  (`Microsoft.EventGrid.SubscriptionValidationEvent`), returned as `ParsedEvents.validation_code`.
- Azure Event Grid, CloudEvents 1.0 schema: `{"specversion", "type", "source", "id", "time", "data"}`, one object
  or an array (batch). Its handshake is an HTTP OPTIONS request (`WebHook-Request-Origin`), not a payload.
- CNCF distribution notifications (`application/vnd.docker.distribution.events.v1+json`): `{"events": [...]}`
  with manifest and blob events, including `pull` and `mount`, kept with their action.

The parser only parses: it neither verifies who sent the payload nor answers the handshake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from regwarden.collect.registry.event_record import RecordContext, UnusableEventError, read_event_record
from regwarden.model.catalog import RegistryEvent
from regwarden.model.errors import BadInputError

VALIDATION_EVENT_TYPE = "Microsoft.EventGrid.SubscriptionValidationEvent"
_ACR_EVENT_PREFIX = "Microsoft.ContainerRegistry."
_ACR_EVENT_ACTIONS = {
    "ImagePushed": "push",
    "ImageDeleted": "delete",
    "ChartPushed": "chart_push",
    "ChartDeleted": "chart_delete",
}
_SHAPES = (
    "an ACR webhook event (action, target), an Event Grid or CloudEvents event or array of them, "
    'or a distribution envelope {"events": [...]}'
)


@dataclass(frozen=True)
class ParsedEvents:
    """What one notification payload said: its usable events, and why any others were left out."""

    events: tuple[RegistryEvent, ...]
    skipped: tuple[str, ...] = ()
    """One reason per unusable event, naming its position (`events[3]: push of app names no digest`)."""
    validation_code: str | None = None
    """Set for Event Grid's subscription validation event: answer HTTP 200 with
    `{"validationResponse": validation_code}` to activate the subscription."""


@dataclass(frozen=True)
class _Entry:
    """One event found in the payload, before it is read: its position and the envelope's context."""

    where: str
    record: object = None
    context: RecordContext | None = None
    problem: str | None = None
    validation_code: str | None = None


def parse_registry_events(data: bytes, *, registry: str | None = None) -> ParsedEvents:
    """Parse a webhook or notification body from ACR, Event Grid or a distribution registry.

    `registry` is the host to record for events that do not name one (ACR's chart events carry no `request`).
    Unusable events are left out with a reason in `skipped`; a payload that is not JSON, has none of the known
    shapes, or holds no usable event at all raises BadInputError naming what was wrong.
    """
    entries = _entries(_load(data), registry)
    events: list[RegistryEvent] = []
    skipped: list[str] = []
    validation_code: str | None = None
    for entry in entries:
        if entry.validation_code is not None:
            validation_code = entry.validation_code
        elif entry.context is None:
            skipped.append(f"{entry.where}: {entry.problem}")
        else:
            try:
                events.append(read_event_record(entry.record, entry.context))
            except UnusableEventError as exc:
                skipped.append(f"{entry.where}: {exc}")
    if skipped and not events and validation_code is None:
        raise BadInputError("no usable registry event in the notification: " + "; ".join(skipped))
    return ParsedEvents(tuple(events), tuple(skipped), validation_code)


def _load(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"registry notification is not valid JSON: {exc}") from None


def _entries(document: Any, registry: str | None) -> list[_Entry]:
    if isinstance(document, list):
        return [_cloud_entry(f"[{i}]", item, registry) for i, item in enumerate(document)]
    if not isinstance(document, dict):
        raise BadInputError(f"registry notification is a JSON {type(document).__name__}; expected {_SHAPES}")
    if "events" in document:
        return _distribution_entries(document["events"], registry)
    if "eventType" in document or "specversion" in document:
        return [_cloud_entry("event", document, registry)]
    if "action" in document and "target" in document:
        return [_Entry("event", document, RecordContext("acr-webhook", registry, kind="manifest"))]
    raise BadInputError(f"registry notification has an unknown shape (keys {sorted(document)}); expected {_SHAPES}")


def _distribution_entries(events: object, registry: str | None) -> list[_Entry]:
    if not isinstance(events, list):
        raise BadInputError(f"distribution notification: `events` must be an array, got {type(events).__name__}")
    context = RecordContext("distribution", registry)
    return [_Entry(f"events[{i}]", record, context) for i, record in enumerate(events)]


def _cloud_entry(where: str, item: object, registry: str | None) -> _Entry:
    """An Event Grid schema event (`eventType`) or a CloudEvent (`specversion` + `type`)."""
    if not isinstance(item, dict):
        return _Entry(where, problem=f"is a JSON {type(item).__name__}, not an event object")
    if isinstance(item.get("eventType"), str):
        source_format, event_type, time = "event-grid", item["eventType"], item.get("eventTime")
    elif "specversion" in item and isinstance(item.get("type"), str):
        source_format, event_type, time = "cloudevents", item["type"], item.get("time")
    else:
        return _Entry(where, problem="is neither an Event Grid event (eventType) nor a CloudEvent (specversion, type)")
    data = item.get("data")
    if event_type == VALIDATION_EVENT_TYPE:
        code = data.get("validationCode") if isinstance(data, dict) else None
        if not isinstance(code, str) or not code:
            return _Entry(where, problem="subscription validation event without `data.validationCode`")
        return _Entry(where, validation_code=code)
    action = _ACR_EVENT_ACTIONS.get(event_type.removeprefix(_ACR_EVENT_PREFIX))
    if action is None:
        return _Entry(where, problem=f"event type {event_type!r} is not a container registry event")
    event_id = item.get("id") if isinstance(item.get("id"), str) else None
    context = RecordContext(
        source_format,
        registry,
        kind="manifest",
        action=action,
        event_id=event_id,
        timestamp=time if isinstance(time, str) else None,
    )
    return _Entry(where, data, context)
