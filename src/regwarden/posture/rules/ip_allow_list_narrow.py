"""RW-ACR-013: the firewall's IP allow-list names narrow, public ranges."""

from __future__ import annotations

import ipaddress

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

NON_PUBLIC_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16")
)
"""RFC 1918, shared address space, loopback and link-local: never the source of traffic at a public endpoint."""
NON_PUBLIC_V6 = tuple(ipaddress.IPv6Network(n) for n in ("fc00::/7", "fe80::/10", "::1/128"))
"""Unique-local, link-local and loopback: the IPv6 ranges that never reach a public endpoint either."""

META = RuleMeta(
    id="RW-ACR-013",
    slug="ip-allow-list-narrow",
    title="IP allow-list is narrow",
    severity=Severity.MEDIUM,
    category="network",
    rationale=(
        "0.0.0.0/0 or a short prefix re-opens the registry to much of the internet; private ranges never "
        "match (the firewall sees public source addresses), so they show a misunderstanding and hide the real "
        "path. IPv4 ranges are held to min_ip_prefix (default /24), IPv6 ranges (dual-stack endpoints) to "
        "min_ipv6_prefix (default /48, one site's allocation). No anchor checks this."
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
    config = context.config
    problems, unreadable = [], []
    for entry in rules.value or ():
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            unreadable.append(entry)
            continue
        minimum = config.min_ip_prefix if network.version == 4 else config.min_ipv6_prefix
        if network.prefixlen < minimum:
            problems.append(f"{entry} is wider than /{minimum}")
        elif _private(network):
            problems.append(f"{entry} is a private range (never matches public traffic)")
    if problems:
        return failed("IP rules too broad: " + "; ".join(problems), rules)
    if unreadable:
        return Check(Status.UNKNOWN, f"IP rules not understood: {', '.join(unreadable)}", evidence(rules))
    limits = f"IPv4 /{config.min_ip_prefix}, IPv6 /{config.min_ipv6_prefix}"
    return passed(f"{len(rules.value or ())} IP rules, all public and no wider than {limits}", rules)


def _private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if isinstance(network, ipaddress.IPv4Network):
        return any(network.subnet_of(n) for n in NON_PUBLIC_V4)
    return any(network.subnet_of(n) for n in NON_PUBLIC_V6)


RULE = FunctionRule(META, check)
