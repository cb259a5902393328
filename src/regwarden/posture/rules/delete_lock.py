"""RW-ACR-043 (prod): a management lock prevents deleting the registry."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import failed, passed, text, unknown_unless_known
from regwarden.posture.rule import (
    PROD_PROFILES,
    Check,
    FunctionRule,
    Reference,
    Remediation,
    RuleContext,
    RuleMeta,
)

META = RuleMeta(
    id="RW-ACR-043",
    slug="delete-lock",
    title="Delete lock",
    severity=Severity.LOW,
    category="resilience",
    rationale=(
        "Deleting a registry deletes every image with it, with no soft delete for the registry itself. A "
        "CanNotDelete lock at the registry, its resource group or subscription covers it; ReadOnly also "
        "prevents "
        "deletion and is accepted (it breaks pushes, which other tooling will report)."
    ),
    remediation=Remediation(
        az="az lock create --name no-delete --lock-type CanNotDelete --resource <registry-id>",
        bicep=(
            "resource l 'Microsoft.Authorization/locks@2020-05-01' = { scope: registry, properties: { "
            "level: 'CanNotDelete' } }"
        ),
        terraform='resource "azurerm_management_lock" "acr" { lock_level = "CanNotDelete" }',
    ),
    references=(Reference("KICS", "azure container registry without lock"),),
    profiles=PROD_PROFILES,
)


def check(registry: Registry, context: RuleContext) -> Check:
    locks = registry.locks
    if unknown := unknown_unless_known(locks):
        return unknown
    holding = [
        lock for lock in locks.value or () if lock.level.known and text(lock.level) in ("cannotdelete", "readonly")
    ]
    if holding:
        return passed(
            f"lock {holding[0].name} ({holding[0].level.value}) at {holding[0].scope or 'the registry'}",
            locks,
        )
    return failed("no CanNotDelete lock covers the registry", locks)


RULE = FunctionRule(META, check)
