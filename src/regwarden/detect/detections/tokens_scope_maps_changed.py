"""RW-LOG-007: repository-scoped tokens or scope maps were created, changed or deleted, or token passwords made."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, operations_filter
from regwarden.detect.signals import activity_failed, registry_id
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

_PREFIX = "microsoft.containerregistry/registries/"
VERBS = {
    f"{_PREFIX}tokens/write": "created or changed token",
    f"{_PREFIX}tokens/delete": "deleted token",
    f"{_PREFIX}scopemaps/write": "created or changed scope map",
    f"{_PREFIX}scopemaps/delete": "deleted scope map",
    f"{_PREFIX}generatecredentials/action": "generated token passwords in",
}

META = DetectionMeta(
    id="RW-LOG-007",
    slug="tokens-scope-maps-changed",
    title="Tokens or scope maps changed",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "Tokens are credentials outside Entra ID: a new token, a widened scope map or a fresh token password is "
        "new access to repositories that no role assignment shows. Every change is reported for review."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset(VERBS),
    references=(Reference("MITRE ATT&CK", "T1098.001"), Reference("baseline", "RW-ACR-007")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | None:
    if activity_failed(event):
        return None
    operation = event.operation.casefold()
    lowered = event.resource_id.casefold()
    named = "/tokens/" in lowered or "/scopemaps/" in lowered
    what = f"{VERBS[operation]} {event.resource_id.rstrip('/').rsplit('/', 1)[-1]}" if named else VERBS[operation]
    return Hit(
        key=f"{lowered or registry_id(event.resource_id)}|{operation}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} {what} ({event.registry or event.resource_id})",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    return "\n".join(
        (
            "AzureActivity",
            operations_filter(VERBS),
            ACTIVITY_NOT_FAILED,
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, _ResourceId, ActivityStatusValue",
        )
    )


DETECTION = per_event(META, match, query)
