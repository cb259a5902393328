"""RW-ACR-051: the registry name is 5–50 alphanumerics."""

from __future__ import annotations

import re

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry, Value
from regwarden.posture.checks import evidence, failed, passed
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

_VALID = re.compile(r"[A-Za-z0-9]{5,50}")

META = RuleMeta(
    id="RW-ACR-051",
    slug="valid-name",
    title="Valid name",
    severity=Severity.INFO,
    category="hygiene",
    rationale="ACR rejects other names at deployment; catching it in review saves a failed pipeline run.",
    remediation=Remediation(
        az="az acr check-name --name <name>",
        bicep="name: 'contosoprod01'  // 5-50 letters and digits",
        terraform='name = "contosoprod01"',
    ),
    references=(Reference("PSRule", "Azure.ACR.Name"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    if registry.name.startswith("["):  # the adapters' mark for a name they could not know (an ARM expression, ...)
        name = Value[str].unresolved("name", f"not known from the input: {registry.name}", registry.origin)
        return Check(Status.UNKNOWN, f"the registry name is not known: {registry.name}", evidence(name))
    name = Value.explicit(registry.name, "name", registry.origin)
    if _VALID.fullmatch(registry.name):
        return passed(f"{registry.name!r} is a valid registry name", name)
    return failed(f"{registry.name!r} is not 5-50 letters and digits", name)


RULE = FunctionRule(META, check)
