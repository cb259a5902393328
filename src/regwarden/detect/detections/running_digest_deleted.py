"""RW-LOG-004: a digest that runs in a known cluster was deleted, or a tag a running workload names was removed."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, Unknown, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import dynamic_strings
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

META = DetectionMeta(
    id="RW-LOG-004",
    slug="running-digest-deleted",
    title="Running image deleted",
    severity=Severity.CRITICAL,
    category="integrity",
    rationale=(
        "Deleting a manifest that runs breaks the next pod start or scale-out (the node cannot pull it again); "
        "untagging a tag a workload names by tag does the same. Checked against the inventory's running workloads "
        "(sync k8s); without them the check is reported as not done, never as clean."
    ),
    tables=frozenset({AuditTable.REPOSITORY}),
    operations=frozenset({"delete", "untag"}),
    references=(Reference("MITRE ATT&CK", "T1485"), Reference("MITRE ATT&CK", "T1489")),
)

NO_INVENTORY = "no running workloads in the inventory (sync k8s first): deletions of running images were not checked"


def match(event: AuditEvent, context: DetectionContext) -> Hit | Unknown | None:
    running = context.running
    if running is None:
        return Unknown(NO_INVENTORY)
    reference = f"{event.login_server}/{event.repository}:{event.tag}".casefold() if event.tag else ""
    if event.digest and event.digest in running.digests:
        what = f"{event.repository}@{event.digest}"
    elif reference and reference in running.tags:
        what = f"{event.repository}:{event.tag}"
    else:
        return None
    verb = "deleted" if event.operation.casefold() == "delete" else "untagged"
    return Hit(
        key=f"{event.registry}|{what}",
        message=f"{event.identity or 'an unnamed identity'} {verb} {what} in {event.registry or 'the registry'}, "
        "which a running workload uses",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str | None:
    if running is None or not (running.digests or running.tags):
        return None
    return "\n".join(
        (
            f"let runningDigests = {dynamic_strings(sorted(running.digests))};",
            f"let runningTags = {dynamic_strings(sorted(running.tags))};",
            "ContainerRegistryRepositoryEvents",
            '| where OperationName in ("Delete", "Untag")',
            '| where Digest in (runningDigests) or tolower(strcat(LoginServer, "/", Repository, ":", Tag)) in '
            "(runningTags)",
            "| project TimeGenerated, LoginServer, Repository, Tag, Digest, Identity, CallerIpAddress, OperationName",
        )
    )


DETECTION = per_event(META, match, query)
