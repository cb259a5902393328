"""RW-ACR-005: few principals can delete images."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.roles import delete_holders, unresolved
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-005",
    slug="delete-holders-limited",
    title="Delete limited",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "Deleting a digest that production runs breaks the next pod restart; every holder of AcrDelete, "
        "Owner or "
        "Contributor (or, in ABAC mode, Repository Contributor) can do it. Distinct principals are counted, "
        "whatever the scope they inherit from. No anchor checks this."
    ),
    remediation=Remediation(
        az="az role assignment delete --assignee <principal> --role AcrDelete --scope <registry-id>",
        bicep="// grant AcrDelete only to the retention job's identity",
        terraform='resource "azurerm_role_assignment" "purge" { role_definition_name = "AcrDelete" }',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    assignments = registry.role_assignments
    if unknown := unknown_unless_known(assignments):
        return unknown
    holders = delete_holders(registry)
    principals = sorted({a.principal_id for a in holders if not unresolved(a)})
    hidden = [a for a in holders if unresolved(a)]
    limit = context.config.max_delete_holders
    if len(principals) > limit:
        return failed(
            f"{len(principals)} principals can delete (maximum {limit}): {', '.join(principals)}", assignments
        )
    if len(principals) + len(hidden) > limit:
        message = f"{len(principals)} known and {len(hidden)} unresolved principals can delete (maximum {limit})"
        return Check(Status.UNKNOWN, message, evidence(assignments))
    return passed(f"{len(principals)} principals can delete (maximum {limit})", assignments)


RULE = FunctionRule(META, check)
