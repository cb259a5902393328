"""The generic webhook body: one event in a stable JSON envelope, the bytes that are signed and sent.

```json
{"id": 42, "kind": "workload.affected", "created_at": "2026-01-05T12:00:00+00:00",
 "summary": "CVE-… (high) affects production Deployment shop/web …", "payload": {…}}
```

`payload` is the event's own (inventory/events.py: vulnerability, workload, image, package). Keys are written in
a fixed order and the payload's keys sorted, so the same event always renders to the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC

from regwarden.model.inventory import Event


def render(event: Event) -> bytes:
    envelope = {
        "id": event.id,
        "kind": event.kind,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "summary": event.summary,
        "payload": _sorted(event.payload),
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def _sorted(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(item) for item in value]
    return value
