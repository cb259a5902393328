"""RW-LOG-005: a role assignment was written or deleted on a registry or on a resource group that holds one."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, PerEventDetector
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import (
    Detection,
    DetectionContext,
    DetectionMeta,
    Finding,
    Gap,
    Reference,
    RunningImages,
)
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, operations_filter
from regwarden.detect.signals import (
    activity_failed,
    registry_id,
    resource_group_id,
    scope_of_role_assignment,
)
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.authorization/roleassignments/write"
DELETE = "microsoft.authorization/roleassignments/delete"
_OPERATIONS = ("Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete")

META = DetectionMeta(
    id="RW-LOG-005",
    slug="role-assignment-changed",
    title="Role assignment changed on a registry or its resource group",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "A role assignment on the registry, or on the resource group that holds it, grants push, delete or "
        "configuration rights. A resource group counts when any record read names a registry in it. Assignments "
        "at subscription scope and above are left out (too broad to attribute to the registry)."
    ),
    tables=frozenset({AuditTable.ACTIVITY, AuditTable.LOGIN, AuditTable.REPOSITORY}),
    references=(Reference("MITRE ATT&CK", "T1098"), Reference("baseline", "RW-ACR-004")),
)


class RoleAssignmentDetector:
    """Registry records only teach which resource groups hold registries; a role assignment at a resource group is
    judged at the end, when every record has been seen, so the order of the files does not matter."""

    def __init__(self, context: DetectionContext) -> None:
        self._held: dict[str, list[AuditEvent]] = {}
        self._groups: set[str] = set()
        self._last_resource = ""
        self._found = PerEventDetector(META, _hit, context)

    def observe(self, event: AuditEvent) -> None:
        if event.resource_id != self._last_resource:
            self._last_resource = event.resource_id
            if registry_id(event.resource_id):
                self._groups.add(resource_group_id(event.resource_id))
        if event.table is not AuditTable.ACTIVITY:
            return  # checked before case folding the operation: most records are registry logs
        if event.operation.casefold() not in (WRITE, DELETE) or activity_failed(event):
            return
        scope = scope_of_role_assignment(event)
        if registry_id(scope):
            self._found.observe(event)
        elif resource_group_id(scope) == scope:
            self._held.setdefault(scope, []).append(event)

    def finish(self) -> tuple[list[Finding], list[Gap]]:
        for group, held in self._held.items():
            if group in self._groups:
                for event in held:
                    self._found.observe(event)
        return self._found.finish()


def _hit(event: AuditEvent, context: DetectionContext) -> Hit:
    scope = scope_of_role_assignment(event)
    verb = "deleted" if event.operation.casefold() == DELETE else "wrote"
    where = f"registry {registry_id(scope).rsplit('/', 1)[-1]}" if registry_id(scope) else f"resource group {scope}"
    return Hit(
        key=f"{scope}|{verb}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} {verb} a role assignment on {where}",
        registry=registry_id(scope).rsplit("/", 1)[-1],
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    scope = "tolower(tostring(parse_json(tostring(Properties_d.requestbody)).Properties.Scope))"
    return "\n".join(
        (
            "let registryGroups = union ContainerRegistryLoginEvents, ContainerRegistryRepositoryEvents",
            '    | distinct Group = tolower(strcat_array(array_slice(split(_ResourceId, "/"), 0, 4), "/"));',
            "AzureActivity",
            operations_filter(
                ("Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete")
            ),
            ACTIVITY_NOT_FAILED,
            f"| extend Scope = {scope}",
            "| extend Scope = iff(isempty(Scope), tolower(substring(_ResourceId, 0, indexof(tolower(_ResourceId), "
            '"/providers/microsoft.authorization/roleassignments"))), Scope)',
            '| where Scope has "/providers/microsoft.containerregistry/registries/" or Scope in (registryGroups)',
            "| project TimeGenerated, OperationNameValue, Caller, CallerIpAddress, Scope, ActivityStatusValue",
        )
    )


DETECTION = Detection(META, RoleAssignmentDetector, query)
