"""RW-LOG-001: someone logged in to the registry with its admin account (the registry's name as user name)."""

from __future__ import annotations

from regwarden.detect.aggregate import Hit, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import strings
from regwarden.detect.signals import login_outcome
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

META = DetectionMeta(
    id="RW-LOG-001",
    slug="admin-account-login",
    title="Admin account used",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "The admin account is one shared password with push, pull and delete on every repository; a login with it "
        "cannot be traced to a person or pipeline. It logs in under the registry's own name; `admin_identities` "
        "adds names. Failed attempts are reported too (someone holds or guesses the password)."
    ),
    tables=frozenset({AuditTable.LOGIN}),
    references=(Reference("MITRE ATT&CK", "T1078.004"), Reference("baseline", "RW-ACR-001")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | None:
    identity, registry = event.identity.casefold(), event.registry
    if not identity or (identity != registry and identity not in context.config.admin_identities):
        return None
    where = event.caller_ip or "an address the log does not give"
    return Hit(
        key=f"{registry}|{identity}",
        message=f"the admin account {event.identity!r} of {registry or 'the registry'} logged in from {where} "
        f"({login_outcome(event)})",
        registry=registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def query(config: LogsConfig, running: RunningImages | None) -> str:
    extra = f" or Identity in~ {strings(sorted(config.admin_identities))}" if config.admin_identities else ""
    return "\n".join(
        (
            "ContainerRegistryLoginEvents",
            f'| where Identity =~ tostring(split(LoginServer, ".")[0]){extra}',
            "| project TimeGenerated, LoginServer, Identity, CallerIpAddress, ResultType, ResultDescription, UserAgent",
        )
    )


DETECTION = per_event(META, match, query)
