"""One production exposure and the events it raises, shared by the format, delivery and CLI tests.

`store_events` writes them the way the inventory does (`insert_events` in the caller's transaction), so delivery
tests read real outbox rows; `sample_event` is the same event as a model object, for the renderers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from regwarden.inventory.events import NewEvent, exposure_event
from regwarden.model.inventory import ComponentHit, Event, Exposure, RunningWorkload
from regwarden.store import Store
from regwarden.store.events import insert_events

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
WEB = RunningWorkload(
    cluster="aks-prod",
    namespace="shop",
    kind="Deployment",
    name="web",
    container="web",
    image="regwardendemo.azurecr.io/shop/web:1.0",
    digest=DIGEST,
    environment="production",
    environment_rule="namespace shop is production",
)


def exposure(
    vuln_id: str = "CVE-2019-11324", severity: str = "high", package: str = "urllib3", *, opened: bool = True
) -> Exposure:
    """An open exposure, or (opened=False) a closed one as the store describes it: no severity, no fixes."""
    component = ComponentHit(
        digest=DIGEST,
        image=WEB.image,
        package=package,
        version="1.24.1",
        type="python",
        purl=f"pkg:pypi/{package}@1.24.1",
        fixed=("1.24.2",) if opened else (),
        severity=severity if opened else None,
    )
    return Exposure(7, WEB, vuln_id, 3, component)


def sample_event(opened: bool = True, event_id: int = 1, at: datetime = T0, **exposure_fields: str) -> Event:
    """The stored form of an exposure's event, as the store reads it back (payload through JSON)."""
    new = exposure_event(exposure(**exposure_fields, opened=opened), opened)
    payload = json.loads(json.dumps(new.payload, sort_keys=True))
    return Event(id=event_id, kind=new.kind, created_at=at, summary=new.summary, payload=payload)


def store_events(store: Store, new_events: Sequence[NewEvent], endpoints: Sequence[str], at: datetime = T0) -> int:
    with store.engine.begin() as conn:
        return insert_events(conn, new_events, endpoints, at)


def affected(**exposure_fields: str) -> NewEvent:
    return exposure_event(exposure(**exposure_fields), True)


def resolved(**exposure_fields: str) -> NewEvent:
    return exposure_event(exposure(**exposure_fields, opened=False), False)
