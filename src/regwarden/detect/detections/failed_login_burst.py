"""RW-LOG-010: many failed logins from one address in a short time (N failures within T, from the config)."""

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
from regwarden.detect.signals import login_failed
from regwarden.detect.windows import Bursts
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

META = DetectionMeta(
    id="RW-LOG-010",
    slug="failed-login-burst",
    title="Burst of failed logins",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "A run of failed logins from one address is password guessing or a leaked, revoked credential still in "
        "use. A login failed when its result type says so or its result is an HTTP status of 400 or more. Counted "
        "per registry and caller address (per identity when no address is logged)."
    ),
    tables=frozenset({AuditTable.LOGIN}),
    references=(Reference("MITRE ATT&CK", "T1110"),),
)


class FailedLoginDetector:
    def __init__(self, context: DetectionContext) -> None:
        rule = context.config.failed_logins
        self._bursts = Bursts(rule.count, rule.within, context.config.max_disorder)

    def observe(self, event: AuditEvent) -> None:
        if login_failed(event):
            self._bursts.add(f"{event.registry}|{event.caller_ip or 'identity:' + event.identity}", event)

    def finish(self) -> tuple[list[Finding], list[Gap]]:
        findings = []
        for burst in self._bursts.finish():
            first = burst.evidence[0]
            identities = sorted({e.identity or "(empty)" for e in burst.evidence})
            message = (
                f"{burst.count} failed logins to {first.registry or 'the registry'} from "
                f"{first.caller_ip or 'an address the log does not give'} between {burst.first:%Y-%m-%d %H:%M:%S} and "
                f"{burst.last:%H:%M:%S} UTC (identities: {', '.join(identities[:5])})"
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
    rule = config.failed_logins
    return "\n".join(
        (
            "ContainerRegistryLoginEvents",
            '| where ResultType in~ ("Failure", "Failed") or toint(ResultDescription) >= 400',
            f"| summarize Failures = count(), Identities = make_set(Identity, 10) by LoginServer, CallerIpAddress, "
            f"bin(TimeGenerated, {timespan(rule.within)})",
            f"| where Failures >= {rule.count}",
        )
    )


DETECTION = Detection(META, FailedLoginDetector, query)
