"""RW-ACR-001: the registry's admin user (a shared, non-auditable username/password) is disabled."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-001",
    slug="admin-user-disabled",
    title="Admin user disabled",
    severity=Severity.CRITICAL,
    category="access",
    rationale=(
        "The admin account is one shared credential with push, pull and delete on every repository; its use "
        "cannot be attributed to a person or pipeline. Absent means disabled (service default), as all "
        "anchors agree."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --admin-enabled false",
        bicep="properties: { adminUserEnabled: false }",
        terraform="admin_enabled = false",
    ),
    references=(
        Reference("PSRule", "Azure.ACR.AdminUser"),
        Reference("Checkov", "CKV_AZURE_137"),
        Reference("Prowler", "containerregistry_admin_user_disabled"),
        Reference("Azure Policy", "dc921057"),
        Reference("MCSB", "IM-1"),
        Reference("azqr", "cr-008"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.admin_user_enabled
    if unknown := unknown_unless_known(value):
        return unknown
    if value.value:
        return failed(f"the admin user is enabled ({describe(value)})", value)
    return passed(f"the admin user is disabled ({describe(value)})", value)


RULE = FunctionRule(META, check)
