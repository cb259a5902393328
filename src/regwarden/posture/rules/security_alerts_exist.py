"""RW-ACR-032: alert rules cover admin logins, deletions, role-assignment changes and unexpected pull "
"sources."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

COVERAGE: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("admin-account logins", (("containerregistryloginevents",),)),
    ("deletions", (("delete",),)),
    ("role-assignment changes", (("microsoft.authorization/roleassignments",),)),
    ("pulls from unexpected IPs", (("pull", "callerip"), ("pull", "calleripaddress"), ("pull", "clientip"))),
)
"""What each area needs in an enabled rule's text: any one group whose words all appear."""

META = RuleMeta(
    id="RW-ACR-032",
    slug="security-alerts-exist",
    title="Security alerts exist",
    severity=Severity.MEDIUM,
    category="logging",
    rationale=(
        "Logs nobody reads do not detect anything. Coverage is recognised from the words an alert rule "
        "matches "
        "on (operation names, KQL), so an unusual but valid query can be missed; the message lists which "
        "areas "
        "were not recognised. No anchor checks this."
    ),
    remediation=Remediation(
        az=(
            "az monitor scheduled-query create --scopes <workspace-id> --condition-query "
            "ContainerRegistryLoginEvents ..."
        ),
        bicep="resource a 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = { ... }",
        terraform='resource "azurerm_monitor_scheduled_query_rules_alert_v2" "acr_admin_login" { ... }',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    alerts = registry.alert_rules
    if unknown := unknown_unless_known(alerts):
        return unknown
    texts = [a.text.casefold() for a in alerts.value or () if not (a.enabled.known and a.enabled.value is False)]
    missing = [
        area
        for area, groups in COVERAGE
        if not any(all(word in body for word in group) for body in texts for group in groups)
    ]
    if missing:
        return failed(f"no enabled alert rule covers: {', '.join(missing)}", alerts)
    return passed(f"{len(texts)} enabled alert rules cover every area", alerts)


RULE = FunctionRule(META, check)
