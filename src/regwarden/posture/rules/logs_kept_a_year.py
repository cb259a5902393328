"""RW-ACR-031: the registry's audit logs are kept for at least a year."""

from __future__ import annotations

from regwarden.model.arm_id import fold_id, last_segment
from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta
from regwarden.posture.rules.audit_logs_collected import sends_audit_logs

YEAR = 365

META = RuleMeta(
    id="RW-ACR-031",
    slug="logs-kept-a-year",
    title="Logs kept a year",
    severity=Severity.MEDIUM,
    category="logging",
    rationale=(
        "Supply-chain incidents are found months later; the default 30-day workspace retention loses the "
        "trail. "
        "A storage destination counts when its retention is at least 365 days or unset/0 (kept "
        "indefinitely). "
        "No anchor checks this."
    ),
    remediation=Remediation(
        az="az monitor log-analytics workspace update --ids <workspace-id> --retention-time 365",
        bicep="properties: { retentionInDays: 365 }",
        terraform="retention_in_days = 365",
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    settings = registry.diagnostic_settings
    if unknown := unknown_unless_known(settings):
        return unknown
    audit = [s for s in settings.value or () if sends_audit_logs(s)]
    if not audit:
        return failed("no diagnostic setting sends audit logs anywhere", settings)
    for setting in audit:
        days = setting.storage_retention_days
        if setting.storage_account_id and (days is None or days == 0 or days >= YEAR):
            return passed(f"{setting.name} archives to storage kept {days or 'indefinitely'} days", settings)
    workspaces = registry.workspaces
    targets = [s.workspace_id for s in audit if s.workspace_id]
    if unknown := unknown_unless_known(workspaces):
        return unknown
    found = [w for w in workspaces.value or () if any(_same_resource(w.id, t) for t in targets)]
    for workspace in found:
        if workspace.retention_in_days.known and (workspace.retention_in_days.value or 0) >= YEAR:
            return passed(f"workspace keeps logs {workspace.retention_in_days.value} days", workspace.retention_in_days)
    short = [w for w in found if w.retention_in_days.known]
    if short:
        kept = ", ".join(f"{w.id}: {w.retention_in_days.value} days" for w in short)
        return failed(f"audit logs are kept less than {YEAR} days ({kept})", *(w.retention_in_days for w in short))
    message = "the audit-log workspace is not in the input, or its retention is not known"
    return Check(Status.UNKNOWN, message, evidence(settings, workspaces))


def _same_resource(left: str, right: str) -> bool:
    """Full ARM ids compare whole; a template's relative id or bare name compares by its last segment."""
    left, right = fold_id(left), fold_id(right)
    if left.startswith("/subscriptions/") and right.startswith("/subscriptions/"):
        return left == right
    return last_segment(left) == last_segment(right)


RULE = FunctionRule(META, check)
