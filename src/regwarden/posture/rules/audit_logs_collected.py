"""RW-ACR-030: login and repository events go to a Log Analytics workspace."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import DiagnosticSetting, Registry
from regwarden.posture.checks import failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

REQUIRED = frozenset({"containerregistryloginevents", "containerregistryrepositoryevents"})
GROUPS = frozenset({"audit", "alllogs"})

META = RuleMeta(
    id="RW-ACR-030",
    slug="audit-logs-collected",
    title="Audit logs collected",
    severity=Severity.HIGH,
    category="logging",
    rationale=(
        "Login and repository events are the only record of who pulled, pushed or deleted what. They must "
        "reach "
        "a workspace (queryable, alertable); a storage-only destination does not satisfy this rule."
    ),
    remediation=Remediation(
        az=(
            "az monitor diagnostic-settings create --resource <registry-id> --name audit --workspace "
            "<workspace-id> "
            '--logs \'[{"categoryGroup":"audit","enabled":true}]\''
        ),
        bicep=("resource d 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = { scope: registry, ... }"),
        terraform=('resource "azurerm_monitor_diagnostic_setting" "acr" { enabled_log { category_group = "audit" } }'),
    ),
    references=(
        Reference("PSRule", "Azure.ACR.AuditLogs"),
        Reference("azqr", "cr-001"),
        Reference("Azure Policy", "56288eb2"),
    ),
)


def sends_audit_logs(setting: DiagnosticSetting) -> bool:
    categories = {c.casefold() for c in setting.categories.value or ()}
    return bool(categories & GROUPS) or categories >= REQUIRED


def check(registry: Registry, context: RuleContext) -> Check:
    settings = registry.diagnostic_settings
    if unknown := unknown_unless_known(settings):
        return unknown
    good = [s.name for s in settings.value or () if s.workspace_id and sends_audit_logs(s)]
    if good:
        return passed(f"audit logs go to a workspace via {', '.join(good)}", settings)
    names = ", ".join(s.name for s in settings.value or ()) or "none"
    return failed(
        f"no diagnostic setting sends login and repository events to a workspace (settings: {names})",
        settings,
    )


RULE = FunctionRule(META, check)
