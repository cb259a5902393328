"""RW-ACR-004: only the configured CI service principals / managed identities can push."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.roles import describe, push_holders, unresolved
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-004",
    slug="push-limited-to-ci",
    title="Push limited to CI identities",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "An image pushed by a person bypasses the pipeline's tests, scans and signing. Push is granted by "
        "AcrPush, "
        "Contributor and Owner (inherited from resource group, subscription and management group), and in "
        "ABAC "
        "mode by Container Registry Repository Writer/Contributor. Custom roles are not expanded to their "
        "actions: "
        "a custom role that grants push is not seen (false negative, stated here). No anchor checks this."
    ),
    remediation=Remediation(
        az="az role assignment delete --assignee <user-object-id> --role AcrPush --scope <registry-id>",
        bicep="// assign AcrPush only to the CI identity: principalType: 'ServicePrincipal'",
        terraform='resource "azurerm_role_assignment" "ci_push" { role_definition_name = "AcrPush" }',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    assignments = registry.role_assignments
    if unknown := unknown_unless_known(assignments):
        return unknown
    ci = {p.casefold() for p in context.config.ci_principal_ids}
    holders = push_holders(registry)
    people = [a for a in holders if text(a.principal_type) in ("user", "group")]
    unlisted = [a for a in holders if not unresolved(a) and a.principal_id.casefold() not in ci]
    offenders = people + [a for a in unlisted if a not in people]
    if offenders:
        listed = "; ".join(describe(a) for a in offenders)
        hint = "" if ci else " (no ci_principal_ids configured)"
        return failed(f"push is held by principals that are not listed CI identities{hint}: {listed}", assignments)
    hidden = [describe(a) for a in holders if unresolved(a)]
    if hidden:
        return Check(Status.UNKNOWN, f"push holders not resolved: {'; '.join(hidden)}", evidence(assignments))
    return passed("every principal that can push is a listed CI identity", assignments)


RULE = FunctionRule(META, check)
