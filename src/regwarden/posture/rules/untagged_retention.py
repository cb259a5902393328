"""RW-ACR-021: untagged manifests are deleted after at most the configured number of days."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-021",
    slug="untagged-retention",
    title="Retention of untagged manifests",
    severity=Severity.MEDIUM,
    category="supply-chain",
    rationale=(
        "Untagged manifests accumulate vulnerable content that nobody looks at but anyone with pull can "
        "run by digest. The service default is disabled (7 days when enabled). PSRule's "
        "Azure.ACR.Retention checks only that the policy is enabled, and only on Premium: here the days "
        "must also be within the configured maximum, and a Basic or Standard registry fails, since the "
        "fix (Premium) is the same."
    ),
    remediation=Remediation(
        az=("az acr config retention update --registry <registry> --status enabled --days 30 --type UntaggedManifests"),
        bicep="properties: { policies: { retentionPolicy: { status: 'enabled', days: 30 } } }",
        terraform="retention_policy_in_days = 30",
    ),
    references=(
        Reference("PSRule", "Azure.ACR.Retention"),
        Reference("Checkov", "CKV_AZURE_167"),
        Reference("azqr", "cr-010"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    status, days = registry.retention_policy_status, registry.retention_days
    if status.known and text(status) != "enabled":
        return failed(f"retention of untagged manifests is off ({describe(status)})", status)
    if unknown := unknown_unless_known(status, days):
        return unknown
    limit = context.config.max_retention_days
    if days.value is None or days.value > limit:
        return failed(f"untagged manifests are kept {days.value} days (maximum {limit})", status, days)
    return passed(f"untagged manifests are deleted after {days.value} days ({describe(days)})", status, days)


RULE = FunctionRule(META, check)
