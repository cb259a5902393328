"""RW-ACR-026: Defender's assessments of the registry's images are all Healthy or NotApplicable."""

from __future__ import annotations

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-026",
    slug="image-assessments-healthy",
    title="No unhealthy image assessments",
    severity=Severity.HIGH,
    category="supply-chain",
    rationale=(
        "An Unhealthy assessment means Defender found vulnerabilities with fixes in images stored here. "
        "No assessments at all passes: RW-ACR-025 reports when the scanner is off. PSRule's "
        "Azure.ACR.ImageHealth gives None for a registry without assessments; its verdicts agree "
        "whenever an assessment exists."
    ),
    remediation=Remediation(
        az=("az security assessment list --query \"[?status.code=='Unhealthy']\"  # rebuild and push fixed images"),
        bicep="// rebuild affected images on patched base images",
        terraform="# rebuild affected images on patched base images",
    ),
    references=(
        Reference("PSRule", "Azure.ACR.ImageHealth"),
        Reference("Prowler", "defender_container_images_resolved_vulnerabilities"),
        Reference("Azure Policy", "090c7b07"),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    assessments = registry.assessments
    if unknown := unknown_unless_known(assessments):
        return unknown
    items = assessments.value or ()
    unhealthy = [a.display_name or a.name for a in items if a.status.known and text(a.status) == "unhealthy"]
    if unhealthy:
        return failed(f"unhealthy assessments: {', '.join(unhealthy)}", assessments)
    unreadable = [a.name for a in items if not a.status.known or a.status.value is None]
    if unreadable:
        return Check(Status.UNKNOWN, f"assessment status unknown: {', '.join(unreadable)}", evidence(assessments))
    return passed(f"{len(items)} assessments, none unhealthy", assessments)


RULE = FunctionRule(META, check)
