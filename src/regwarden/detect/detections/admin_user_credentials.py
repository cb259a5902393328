"""RW-LOG-006: the admin user was enabled, or its passwords were listed or regenerated."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, Unknown, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, request_body_field, strings
from regwarden.detect.signals import activity_failed, body_value, registry_id, request_body
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.containerregistry/registries/write"
LIST = "microsoft.containerregistry/registries/listcredentials/action"
REGENERATE = "microsoft.containerregistry/registries/regeneratecredential/action"
NO_BODY = "registry updated without a logged request body: whether it enabled the admin user is unknown"

META = DetectionMeta(
    id="RW-LOG-006",
    slug="admin-user-credentials",
    title="Admin user enabled or its passwords read",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "Turning the admin user on, or reading or regenerating its passwords, hands out the registry's one shared "
        "credential. Read from the Activity Log (listCredentials, regenerateCredential, and registry writes whose "
        "request body sets adminUserEnabled); operations that failed changed nothing and are left out."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset({WRITE, LIST, REGENERATE}),
    references=(Reference("MITRE ATT&CK", "T1098.001"), Reference("baseline", "RW-ACR-001")),
)
_VERBS = {LIST: "listed the admin passwords of", REGENERATE: "regenerated an admin password of"}


def match(event: AuditEvent, context: DetectionContext) -> Hit | Unknown | None:
    if activity_failed(event):
        return None
    operation = event.operation.casefold()
    verb = _VERBS.get(operation)
    if verb is None:
        body = request_body(event)
        if body is None:
            return Unknown(NO_BODY)
        if str(body_value(body, "properties", "adminUserEnabled")).casefold() != "true":
            return None
        verb = "enabled the admin user of"
    registry = event.registry
    who = event.identity or "an unnamed caller"
    return Hit(
        key=f"{registry_id(event.resource_id) or registry}|{operation}|{event.identity}",
        message=f"{who} {verb} {registry or event.resource_id}",
        registry=registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


ADMIN_ENABLED = request_body_field("properties", "adminUserEnabled")


def query(config: LogsConfig, running: RunningImages | None) -> str:
    return "\n".join(
        (
            "AzureActivity",
            f"| where OperationNameValue in~ {strings(sorted({LIST, REGENERATE}))}",
            f'    or (OperationNameValue =~ "{WRITE}" and {ADMIN_ENABLED} =~ "true")',
            ACTIVITY_NOT_FAILED,
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, _ResourceId, ActivityStatusValue",
        )
    )


DETECTION = per_event(META, match, query)
