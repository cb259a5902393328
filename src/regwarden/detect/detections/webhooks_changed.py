"""RW-LOG-009: a registry webhook was created, changed or deleted (where push and delete notifications go)."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, operations_filter
from regwarden.detect.signals import activity_failed
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.containerregistry/registries/webhooks/write"
DELETE = "microsoft.containerregistry/registries/webhooks/delete"

META = DetectionMeta(
    id="RW-LOG-009",
    slug="webhooks-changed",
    title="Webhook created or changed",
    severity=Severity.MEDIUM,
    category="integrity",
    rationale=(
        "A webhook receives every push and delete with repository and tag names, and may trigger deployments: a "
        "new or repointed webhook can leak the registry's activity or start builds from it. Deletions stop "
        "notifications (and regwarden's own ingest-event feed)."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset({WRITE, DELETE}),
    references=(Reference("MITRE ATT&CK", "T1546"), Reference("baseline", "RW-ACR-033")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | None:
    if activity_failed(event):
        return None
    webhook = event.resource_id.rstrip("/").rsplit("/", 1)[-1]
    verb = "deleted" if event.operation.casefold() == DELETE else "created or changed"
    return Hit(
        key=f"{event.resource_id.casefold()}|{verb}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} {verb} webhook {webhook!r} of {event.registry}",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    return "\n".join(
        (
            "AzureActivity",
            operations_filter((WRITE, DELETE)),
            ACTIVITY_NOT_FAILED,
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, _ResourceId, ActivityStatusValue",
        )
    )


DETECTION = per_event(META, match, query)
