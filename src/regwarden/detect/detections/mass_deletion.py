"""RW-LOG-003: one identity deleted many manifests in a short time (N deletes within T, from the config)."""

from __future__ import annotations

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
from regwarden.detect.kql import timespan
from regwarden.detect.windows import Bursts
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

META = DetectionMeta(
    id="RW-LOG-003",
    slug="mass-deletion",
    title="Mass deletion",
    severity=Severity.HIGH,
    category="integrity",
    rationale=(
        "Many deletes by one identity in minutes is how a compromised pipeline or a wrong purge filter destroys a "
        "registry. Counted per registry and identity: `Delete` operations only (an untag alone keeps the manifest). "
        "A scheduled purge with the same identity shows up here too; raise the threshold for it in the config."
    ),
    tables=frozenset({AuditTable.REPOSITORY}),
    operations=frozenset({"delete"}),
    references=(Reference("MITRE ATT&CK", "T1485"), Reference("baseline", "RW-ACR-021")),
)


class MassDeletionDetector:
    def __init__(self, context: DetectionContext) -> None:
        rule = context.config.mass_delete
        self._bursts = Bursts(rule.count, rule.within, context.config.max_disorder)
        self._within = rule.within

    def observe(self, event: AuditEvent) -> None:
        self._bursts.add(f"{event.registry}|{event.identity}", event)

    def finish(self) -> tuple[list[Finding], list[Gap]]:
        findings = []
        for burst in self._bursts.finish():
            first = burst.evidence[0]
            repositories = sorted({e.repository for e in burst.evidence if e.repository})
            shown = ", ".join(repositories[:5]) + (", ..." if len(repositories) > 5 else "")
            message = (
                f"{first.identity or 'an unnamed identity'} deleted {burst.count} manifests from "
                f"{first.registry or 'the registry'} between {burst.first:%Y-%m-%d %H:%M:%S} and "
                f"{burst.last:%H:%M:%S} UTC ({shown})"
            )
            findings.append(
                Finding(
                    META,
                    burst.key,
                    message,
                    burst.first,
                    burst.last,
                    burst.count,
                    tuple(burst.evidence),
                    first.registry,
                    first.identity,
                    first.caller_ip,
                )
            )
        return findings, []


def query(config: LogsConfig, running: RunningImages | None) -> str:
    rule = config.mass_delete
    return "\n".join(
        (
            "ContainerRegistryRepositoryEvents",
            '| where OperationName == "Delete"',
            f"| summarize Deletes = count(), Repositories = make_set(Repository, 20) by LoginServer, Identity, "
            f"bin(TimeGenerated, {timespan(rule.within)})",
            f"| where Deletes >= {rule.count}",
        )
    )


DETECTION = Detection(META, MassDeletionDetector, query)
