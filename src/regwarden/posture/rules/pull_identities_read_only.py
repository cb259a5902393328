"""RW-ACR-006: identities that pull (runtime identities) do not also push, delete or administer."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.roles import delete_holders, pull_holders, push_holders, unresolved
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
    pull = pull_holders(registry)
    write = [*push_holders(registry), *delete_holders(registry)]
    pullers = {a.principal_id.casefold() for a in pull if not unresolved(a)}
    both = sorted({a.principal_id for a in write if not unresolved(a) and a.principal_id.casefold() in pullers})
    if both:
        return failed(f"principals hold AcrPull and also push/delete/admin roles: {', '.join(both)}", assignments)
    if any(unresolved(a) for a in [*pull, *write]):
        message = "some pull or write role holders are unresolved; cannot tell whether they overlap"
        return Check(Status.UNKNOWN, message, evidence(assignments))
    return passed(f"{len(pullers)} pull identities hold no write roles", assignments)


RULE = FunctionRule(META, check)
