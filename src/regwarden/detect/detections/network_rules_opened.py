"""RW-LOG-012: a registry's network access was opened: public access on, default action Allow, or a wide range."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from regwarden.detect.aggregate import Hit, Unknown, per_event
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import DetectionContext, DetectionMeta, Reference, RunningImages
from regwarden.detect.kql import ACTIVITY_NOT_FAILED, request_body_field, string
from regwarden.detect.signals import activity_failed, body_value, registry_id, request_body
from regwarden.model.audit import AuditEvent, AuditTable
from regwarden.model.finding import Severity

WRITE = "microsoft.containerregistry/registries/write"
NO_BODY = "registry updated without a logged request body: whether it opened network access is unknown"
WIDEST_PREFIX = 8
"""An allow-list range this wide or wider (/8 and shorter prefixes) counts as opening the registry."""

META = DetectionMeta(
    id="RW-LOG-012",
    slug="network-rules-opened",
    title="Network access opened",
    severity=Severity.HIGH,
    category="network",
    rationale=(
        "A registry that was private becomes reachable from the internet when public network access is enabled, "
        "the firewall's default action becomes Allow, or an allow-list range of /8 or wider is added. Read from "
        "registry writes' request bodies; a write that sets none of these is not reported."
    ),
    tables=frozenset({AuditTable.ACTIVITY}),
    operations=frozenset({WRITE}),
    references=(Reference("MITRE ATT&CK", "T1562.007"), Reference("baseline", "RW-ACR-010")),
)


def match(event: AuditEvent, context: DetectionContext) -> Hit | Unknown | None:
    if activity_failed(event):
        return None
    body = request_body(event)
    if body is None:
        return Unknown(NO_BODY)
    opened = _openings(body)
    if not opened:
        return None
    return Hit(
        key=f"{registry_id(event.resource_id) or event.registry}|{event.identity}",
        message=f"{event.identity or 'an unnamed caller'} opened network access to "
        f"{event.registry or event.resource_id}: {'; '.join(opened)}",
        registry=event.registry,
        identity=event.identity,
        caller_ip=event.caller_ip,
    )


def _openings(body: Mapping[str, object]) -> list[str]:
    found = []
    if str(body_value(body, "properties", "publicNetworkAccess")).casefold() == "enabled":
        found.append("publicNetworkAccess Enabled")
    if str(body_value(body, "properties", "networkRuleSet", "defaultAction")).casefold() == "allow":
        found.append("networkRuleSet.defaultAction Allow")
    rules = body_value(body, "properties", "networkRuleSet", "ipRules")
    for rule in rules if isinstance(rules, list) else ():
        value = body_value(rule, "value") if isinstance(rule, Mapping) else None
        if isinstance(value, str) and _wide(value):
            found.append(f"allow-list range {value}")
    return found


def _wide(text: str) -> bool:
    try:
        return ipaddress.ip_network(text.strip(), strict=False).prefixlen <= WIDEST_PREFIX
    except ValueError:
        return False


def query(config: LogsConfig, running: RunningImages | None) -> str:
    access = request_body_field("properties", "publicNetworkAccess")
    default = request_body_field("properties", "networkRuleSet", "defaultAction")
    wide_range = f'"value"\\s*:\\s*"[0-9a-fA-F.:]+/[0-{WIDEST_PREFIX}]"'
    return "\n".join(
        (
            "AzureActivity",
            f'| where OperationNameValue =~ "{WRITE}"',
            ACTIVITY_NOT_FAILED,
            f"| extend PublicAccess = {access}, DefaultAction = {default}",
            f"| extend WideRange = tostring(Properties_d.requestbody) matches regex {string(wide_range)}",
            '| where PublicAccess =~ "Enabled" or DefaultAction =~ "Allow" or WideRange',
            "| project TimeGenerated, Caller, CallerIpAddress, _ResourceId, PublicAccess, DefaultAction, WideRange",
        )
    )


DETECTION = per_event(META, match, query)
