"""RW-ACR-013: the firewall's IP allow-list names narrow, public ranges."""

from __future__ import annotations

import ipaddress

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

NON_PUBLIC = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
    )
)
"""RFC 1918, shared address space, loopback and link-local: never the source of traffic at a public "
"endpoint."""

META = RuleMeta(
    id="RW-ACR-013",
    slug="ip-allow-list-narrow",
    title="IP allow-list is narrow",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "0.0.0.0/0 or a short prefix re-opens the registry to much of the internet; private ranges never "
        "match "
        "(the firewall sees public source addresses), so they show a misunderstanding and hide the real "
        "path. "
        "No anchor checks this."
    ),
    remediation=Remediation(
        az="az acr network-rule remove --name <registry> --ip-address <range>",
        bicep="networkRuleSet: { ipRules: [ { action: 'Allow', value: '203.0.113.0/24' } ] }",
        terraform='network_rule_set { ip_rule { action = "Allow" ip_range = "203.0.113.0/24" } }',
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    rules = registry.ip_rules
    if unknown := unknown_unless_known(rules):
        return unknown
    minimum = context.config.min_ip_prefix
    problems, unreadable = [], []
    for entry in rules.value or ():
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            unreadable.append(entry)
            continue
        if network.prefixlen < minimum:
            problems.append(f"{entry} is wider than /{minimum}")
        elif isinstance(network, ipaddress.IPv4Network) and any(network.subnet_of(n) for n in NON_PUBLIC):
            problems.append(f"{entry} is a private range (never matches public traffic)")
    if problems:
        return failed("IP rules too broad: " + "; ".join(problems), rules)
    if unreadable:
        return Check(Status.UNKNOWN, f"IP rules not understood: {', '.join(unreadable)}", evidence(rules))
    return passed(f"{len(rules.value or ())} IP rules, all public and /{minimum} or narrower", rules)


RULE = FunctionRule(META, check)
