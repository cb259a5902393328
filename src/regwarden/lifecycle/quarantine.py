"""ACR's quarantine flow, the pure parts: who may call the worker, what a quarantine webhook asks for, and the
`quarantineDetails` the worker sends back.

ACR raises a `quarantine` webhook for every push (before quarantine is enabled on the registry too); with
quarantine enabled the image stays unpullable until a scanner sets `quarantineState` to `Passed` (`Failed` keeps it
held). The payload is an ACR webhook event (collect/registry reads it) with `action: quarantine`.

ACR signs nothing: a webhook is trusted by the custom header configured on it (`az acr webhook create --headers
"Authorization=Bearer SECRET"`). `Authorization` carries `Bearer <secret>`, any other header the bare secret.

`quarantineDetails` is a JSON string; the documented scan summary is `{"version": "0.0.1", "summary": [[severity,
count], …]}` with the severities `Critical`, `High`, `Medium`, `Low`, `None`. Further keys say what was decided and
why (the schema allows them): `state`, `scanner`, `failOn`, `reasons`, `images`, `scannedAt`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from regwarden.collect.registry import parse_registry_events
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from regwarden.model.quarantine import GateResult

QUARANTINE_ACTION = "quarantine"
PING_ACTION = "ping"
MAX_BODY_BYTES = 64 * 1024
"""An ACR webhook payload is well under 2 KiB; anything far larger is not one."""
MIN_SECRET_LENGTH = 16
SUMMARY_VERSION = "0.0.1"
MAX_REASONS = 10
"""Reasons kept in the details ACR stores (the full list stays in the worker's record)."""
_ACR_SEVERITY = {
    Severity.CRITICAL: "Critical",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
    Severity.INFO: "None",
}


class RegistryNotServedError(BadInputError):
    """The webhook names a registry this worker was not configured for: it never connects there."""


@dataclass(frozen=True)
class QuarantineRequest:
    """One pushed manifest ACR holds until it is checked."""

    registry: str
    repository: str
    digest: str
    tag: str | None
    event_id: str | None


@dataclass(frozen=True)
class WebhookContent:
    requests: tuple[QuarantineRequest, ...]
    ignored: tuple[str, ...] = ()
    """Events that are no quarantine request, with why (a `push` webhook pointed here by mistake)."""
    ping: bool = False
    """ACR's "Ping" of a webhook: answered, nothing to do."""


def secret_matches(presented: str | None, secret: str, header: str) -> bool:
    """Whether the webhook's `header` value proves the shared secret (constant-time comparison)."""
    if presented is None:
        return False
    expected = f"Bearer {secret}" if header.lower() == "authorization" else secret
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def check_secret(secret: str) -> str:
    """A secret long enough to resist guessing; refused otherwise."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise BadInputError(f"the webhook secret must be at least {MIN_SECRET_LENGTH} characters long")
    return secret


def read_quarantine_webhook(body: bytes, registries: Collection[str]) -> WebhookContent:
    """The quarantine requests in an ACR webhook body, for `registries` (host names, lower case) only.

    Malformed bodies raise BadInputError; a quarantine request for another registry raises RegistryNotServedError.
    """
    if _is_ping(body):
        return WebhookContent((), ping=True)
    parsed = parse_registry_events(body)
    requests: list[QuarantineRequest] = []
    ignored = list(parsed.skipped)
    for event in parsed.events:
        if event.action != QUARANTINE_ACTION or event.digest is None:
            ignored.append(f"{event.action} of {event.repository}: not a quarantine event")
            continue
        if event.registry not in registries:
            raise RegistryNotServedError(
                f"the webhook names registry {event.registry}, which this worker does not serve "
                f"(serving: {', '.join(sorted(registries)) or 'none'})"
            )
        requests.append(QuarantineRequest(event.registry, event.repository, event.digest, event.tag, event.event_id))
    return WebhookContent(tuple(requests), tuple(ignored))


def _is_ping(body: bytes) -> bool:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and document.get("action") == PING_ACTION


def quarantine_details(result: GateResult, *, scanner: str, scanned_at: datetime) -> str:
    """The `quarantineDetails` string for ACR: the scan summary over every image, and what decided."""
    totals = dict.fromkeys(_ACR_SEVERITY.values(), 0)
    for image in result.images:
        for severity, count in image.counts.items():
            totals[_ACR_SEVERITY[Severity.parse(severity)]] += count
    reasons = list(result.reasons())
    document = {
        "version": SUMMARY_VERSION,
        "summary": [[name, count] for name, count in totals.items()],
        "state": "scan passed" if result.passed else "scan failed",
        "scanner": scanner,
        "failOn": result.fail_on,
        "reasons": reasons[:MAX_REASONS]
        + ([f"… and {len(reasons) - MAX_REASONS} more"] if len(reasons) > MAX_REASONS else []),
        "images": [{"digest": i.digest, "platform": i.platform, "passed": i.passed} for i in result.images],
        "scannedAt": scanned_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    return json.dumps(document, separators=(",", ":"))


def failure_details(reason: str, *, scanner: str, scanned_at: datetime) -> str:
    """`quarantineDetails` for a manifest that could not be checked at all (it stays Failed, and says why)."""
    document = {
        "version": SUMMARY_VERSION,
        "summary": [[name, 0] for name in _ACR_SEVERITY.values()],
        "state": "scan failed",
        "scanner": scanner,
        "reasons": [reason],
        "scannedAt": scanned_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    return json.dumps(document, separators=(",", ":"))
