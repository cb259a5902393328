"""RW-LOG-011: anonymous (unauthenticated) pull was turned on for a registry."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, Unknown, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, request_body_field
from regwarden.detect.signals import activity_failed, body_value, registry_id, request_body
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.containerregistry/registries/write"
NO_BODY = "registry updated without a logged request body: whether it turned anonymous pull on is unknown"

META = DetectionMeta(
    id="RW-LOG-011",
    slug="anonymous-pull-enabled",
    title="Anonymous pull turned on",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "With anonymous pull on, anyone who can reach the registry can pull every image, and what leaks (code, "
        "secrets baked into layers) cannot be traced. Read from registry writes whose request body sets "
        "anonymousPullEnabled to true."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset({WRITE}),
    references=(Reference("MITRE ATT&CK", "T1530"), Reference("baseline", "RW-ACR-002")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | Unknown | None:
    if activity_failed(event):
        return None
    body = request_body(event)
    if body is None:
        return Unknown(NO_BODY)
    if str(body_value(body, "properties", "anonymousPullEnabled")).casefold() != "true":
        return None
    return Hit(
        key=f"{registry_id(event.resource_id) or event.registry}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} turned anonymous pull on for "
        f"{event.registry or event.resource_id}",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    return "\n".join(
        (
            "AzureActivity",
            f'| where OperationNameValue =~ "{WRITE}"',
            f'| where {request_body_field("properties", "anonymousPullEnabled")} =~ "true"',
            ACTIVITY_NOT_FAILED,
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, _ResourceId, ActivityStatusValue",
        )
    )


DETECTION = per_event(META, match, query)
