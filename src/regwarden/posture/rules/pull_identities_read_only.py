"""RW-ACR-006: identities that pull (runtime identities) do not also push, delete or administer."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import failed, passed, unknown_unless_known
from regwarden.posture.roles import delete_holders, pull_holders, push_holders
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-006",
    slug="pull-identities-read-only",
    title="Pull identities are read-only",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "A kubelet or app identity that holds AcrPull is exposed on every node; if it can also push or "
        "delete, a "
        "compromised node can replace images. No anchor checks this."
    ),
    remediation=Remediation(
        az="az role assignment delete --assignee <pull-identity> --role AcrPush --scope <registry-id>",
        bicep="// give runtime identities AcrPull only",
        terraform='resource "azurerm_role_assignment" "pull" { role_definition_name = "AcrPull" }',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    assignments = registry.role_assignments
    if unknown := unknown_unless_known(assignments):
        return unknown
    pullers = {a.principal_id.casefold() for a in pull_holders(registry)}
    writers = {a.principal_id for a in [*push_holders(registry), *delete_holders(registry)]}
    both = sorted(p for p in writers if p.casefold() in pullers)
    if both:
        return failed(
            f"principals hold AcrPull and also push/delete/admin roles: {', '.join(both)}", assignments
        )
    return passed(f"{len(pullers)} pull identities hold no write roles", assignments)


RULE = FunctionRule(META, check)
