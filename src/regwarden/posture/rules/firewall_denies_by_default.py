"""RW-ACR-012: the registry firewall denies by default (or public access is off altogether)."""

from __future__ import annotations

from regwarden.model.finding import Severity
from regwarden.model.registry import Registry
from regwarden.posture.checks import describe, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-012",
    slug="firewall-denies-by-default",
    title="Firewall denies by default",
    severity=Severity.HIGH,
    category="network",
    rationale=(
        "With defaultAction Allow (the service default) the IP rules are decoration. Public access "
        "Disabled satisfies the rule on its own, since then no public traffic reaches the firewall. "
        "PSRule's Azure.ACR.Firewall does not apply to Basic or Standard (outcome None); here they fail, "
        "because their public endpoint is open to everyone and only Premium can close it."
    ),
    remediation=Remediation(
        az="az acr update --name <registry> --default-action Deny",
        bicep="properties: { networkRuleSet: { defaultAction: 'Deny' } }",
        terraform='network_rule_set { default_action = "Deny" }',
    ),
    references=(Reference("PSRule", "Azure.ACR.Firewall"), Reference("Azure Policy", "d0793b48")),
)


def check(registry: Registry, context: RuleContext) -> Check:
    access, action = registry.public_network_access, registry.network_default_action
    if access.known and text(access) == "disabled":
        return passed(f"public network access is disabled ({describe(access)})", access)
    if action.known and text(action) == "deny":
        return passed(f"the firewall denies by default ({describe(action)})", access, action)
    if unknown := unknown_unless_known(access, action):
        return unknown
    return failed(f"public access is on and the firewall allows by default ({describe(action)})", access, action)


RULE = FunctionRule(META, check)
