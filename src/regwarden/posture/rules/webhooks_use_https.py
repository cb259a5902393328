"""RW-ACR-050: every webhook delivers over HTTPS."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-050",
    slug="webhooks-use-https",
    title="Webhooks use HTTPS",
    severity=Severity.MEDIUM,
    category="hygiene",
    rationale=(
        "Webhook payloads name repositories and tags and often carry custom auth headers; over HTTP both "
        "travel "
        "in clear. serviceUri is write-only in ARM GET, so without the getCallbackConfig output the rule is "
        "UNKNOWN."
    ),
    remediation=Remediation(
        az="az acr webhook update --registry <registry> --name <webhook> --uri https://...",
        bicep="properties: { serviceUri: 'https://...' }",
        terraform='service_uri = "https://..."',
    ),
    references=(Reference("Checkov", "CKV2_AZURE_30"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    webhooks = registry.webhooks
    if unknown := unknown_unless_known(webhooks):
        return unknown
    items = webhooks.value or ()
    plain = [
        w.name for w in items if w.service_uri.known and not str(w.service_uri.value).lower().startswith("https://")
    ]
    if plain:
        return failed(f"webhooks not using HTTPS: {', '.join(plain)}", webhooks)
    hidden = [w for w in items if not w.service_uri.known]
    if hidden:
        names = ", ".join(w.name for w in hidden)
        reason = hidden[0].service_uri.reason or hidden[0].service_uri.source.value
        return Check(Status.UNKNOWN, f"service URI not known for {names}: {reason}", evidence(webhooks))
    return passed(f"{len(items)} webhooks, all HTTPS", webhooks)


RULE = FunctionRule(META, check)
