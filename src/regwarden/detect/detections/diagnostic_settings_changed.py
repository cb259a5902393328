"""RW-LOG-008: a registry's diagnostic settings were deleted or changed (its audit trail may have stopped)."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, operations_filter
from regwarden.detect.signals import activity_failed, registry_id
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.insights/diagnosticsettings/write"
DELETE = "microsoft.insights/diagnosticsettings/delete"

META = DetectionMeta(
    id="RW-LOG-008",
    slug="diagnostic-settings-changed",
    title="Diagnostic settings deleted or changed",
    severity=Severity.HIGH,
    category="logging",
    rationale=(
        "Deleting or narrowing a registry's diagnostic setting stops the login and repository logs every other "
        "detection reads: the first step of covering tracks. Only settings of container registries are reported "
        "(the resource id is under Microsoft.ContainerRegistry/registries)."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset({WRITE, DELETE}),
    references=(Reference("MITRE ATT&CK", "T1562.008"), Reference("baseline", "RW-ACR-030")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | None:
    registry = registry_id(event.resource_id)
    if not registry or activity_failed(event):
        return None
    setting = event.resource_id.rstrip("/").rsplit("/", 1)[-1]
    verb = "deleted" if event.operation.casefold() == DELETE else "changed"
    return Hit(
        key=f"{event.resource_id.casefold()}|{verb}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} {verb} diagnostic setting {setting!r} of {event.registry}",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    return "\n".join(
        (
            "AzureActivity",
            operations_filter((WRITE, DELETE)),
            '| where _ResourceId has "/providers/microsoft.containerregistry/registries/"',
            ACTIVITY_NOT_FAILED,
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, _ResourceId, ActivityStatusValue",
        )
    )


DETECTION = per_event(META, match, query)
