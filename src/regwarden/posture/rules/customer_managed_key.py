"""RW-ACR-027 (regulated only): the registry is encrypted with a customer-managed key."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import (
    REGULATED_ONLY,
    Check,
    FunctionRule,
    Reference,
    Remediation,
    RuleContext,
    RuleMeta,
)

META = RuleMeta(
    id="RW-ACR-027",
    slug="customer-managed-key",
    title="Customer-managed key",
    severity=Severity.LOW,
    category="supply-chain",
    rationale=(
        "Platform-managed encryption is on regardless; a customer-managed key matters only where regulation "
        "demands key custody, so the rule applies in the regulated profile only."
    ),
    remediation=Remediation(
        az=("az acr encryption rotate-key --name <registry> --key-encryption-key <key-uri> --identity <identity>"),
        bicep=("properties: { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: '<key-uri>' } } }"),
        terraform="encryption { key_vault_key_id = azurerm_key_vault_key.acr.id identity_client_id = ... }",
    ),
    references=(Reference("Azure Policy", "5b9159ae"), Reference("MCSB", "DP-5")),
    profiles=REGULATED_ONLY,
)


def check(registry: Registry, context: RuleContext) -> Check:
    value = registry.encryption_status
    if unknown := unknown_unless_known(value):
        return unknown
    if text(value) == "enabled":
        return passed(f"a customer-managed key encrypts the registry ({describe(value)})", value)
    return failed(f"no customer-managed key ({describe(value)})", value)


RULE = FunctionRule(META, check)
