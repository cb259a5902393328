"""A scan as CycloneDX 1.6 JSON: the image's SBOM (report/cyclonedx.build_bom) plus its `vulnerabilities`.

Each finding is one vulnerability entry affecting one component (by bom-ref). Suppressed findings become VEX
analysis: a VEX `not_affected` statement maps to state `not_affected` with the matching CycloneDX justification,
VEX `fixed` to `resolved`, and an ignore-file entry (an accepted risk, not a claim of non-exposure) to response
`will_not_fix` with the reason as detail.
"""

from __future__ import annotations

from decimal import Decimal

from cyclonedx.model import Property, XsUri
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisJustification,
    ImpactAnalysisResponse,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from regwarden.model.sbom import Package
from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.report.cyclonedx import bom_refs, build_bom
from regwarden.report.vuln_common import ScanReport, ordered

# OpenVEX justification labels → CycloneDX impact-analysis justifications (closest meaning).
_JUSTIFICATION = {
    "component_not_present": ImpactAnalysisJustification.CODE_NOT_PRESENT,
    "vulnerable_code_not_present": ImpactAnalysisJustification.CODE_NOT_PRESENT,
    "vulnerable_code_not_in_execute_path": ImpactAnalysisJustification.CODE_NOT_REACHABLE,
    "vulnerable_code_cannot_be_controlled_by_adversary": ImpactAnalysisJustification.PROTECTED_AT_RUNTIME,
    "inline_mitigations_already_exist": ImpactAnalysisJustification.PROTECTED_BY_MITIGATING_CONTROL,
}
_CVSS_METHOD = (
    ("CVSS:4.0/", VulnerabilityScoreSource.CVSS_V4),
    ("CVSS:3.1/", VulnerabilityScoreSource.CVSS_V3_1),
    ("CVSS:3.0/", VulnerabilityScoreSource.CVSS_V3),
    ("AV:", VulnerabilityScoreSource.CVSS_V2),
)


def render_vuln_cyclonedx_json(report: ScanReport) -> bytes:
    bom = build_bom(report.sbom)
    # The same bom-refs build_bom gave the components (purl, made unique), so `affects` points at them.
    refs = dict(zip(report.sbom.packages, bom_refs(report.sbom.packages), strict=True))
    for n, finding in enumerate(ordered(report.findings)):
        bom.vulnerabilities.add(_vulnerability(finding, refs.get(finding.package), n))
    outputter = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6)
    return outputter.output_as_string(indent=2).encode() + b"\n"


def _vulnerability(finding: VulnerabilityFinding, component_ref: str | None, n: int) -> Vulnerability:
    package = finding.package
    osv = VulnerabilitySource(name="OSV", url=XsUri(f"https://osv.dev/vulnerability/{finding.id}"))
    return Vulnerability(
        bom_ref=f"vuln-{n}:{finding.id}:{package.purl}",
        id=finding.id,
        source=osv,
        references=[
            VulnerabilityReference(
                id=alias, source=VulnerabilitySource(url=XsUri(f"https://osv.dev/vulnerability/{alias}"))
            )
            for alias in finding.aliases
        ],
        ratings=[_rating(finding)],
        description=finding.summary,
        recommendation=_recommendation(finding),
        analysis=_analysis(finding.suppressed_by),
        affects=[_target(package, component_ref, finding.suppressed_by)] if component_ref else [],
        properties=[Property(name="regwarden:evidence", value=e.detail) for e in finding.evidence],
    )


def _rating(finding: VulnerabilityFinding) -> VulnerabilityRating:
    method = next(
        (m for prefix, m in _CVSS_METHOD if finding.cvss_vector and finding.cvss_vector.startswith(prefix)), None
    )
    return VulnerabilityRating(
        score=None if finding.cvss_score is None else Decimal(str(finding.cvss_score)),
        severity=VulnerabilitySeverity(finding.severity.value),
        method=method,
        vector=finding.cvss_vector,
    )


def _recommendation(finding: VulnerabilityFinding) -> str:
    if not finding.fixed_versions:
        return "No fixed version is known yet."
    return f"Upgrade {finding.package.name} to {' or '.join(finding.fixed_versions)}."


def _analysis(suppressed_by: str | None) -> VulnerabilityAnalysis | None:
    if suppressed_by is None:
        return None
    if suppressed_by.startswith("VEX fixed"):
        return VulnerabilityAnalysis(state=ImpactAnalysisState.RESOLVED, detail=suppressed_by)
    if suppressed_by.startswith("VEX not_affected"):
        label = suppressed_by.removeprefix("VEX not_affected: ").split(" ", 1)[0]
        return VulnerabilityAnalysis(
            state=ImpactAnalysisState.NOT_AFFECTED, justification=_JUSTIFICATION.get(label), detail=suppressed_by
        )
    return VulnerabilityAnalysis(responses=[ImpactAnalysisResponse.WILL_NOT_FIX], detail=suppressed_by)


def _target(package: Package, component_ref: str, suppressed_by: str | None) -> BomTarget:
    # Only a VEX statement says the installed version is unaffected; an ignore entry accepts an affected one.
    vex_clears = suppressed_by is not None and suppressed_by.startswith(("VEX not_affected", "VEX fixed"))
    status = ImpactAnalysisAffectedStatus.UNAFFECTED if vex_clears else ImpactAnalysisAffectedStatus.AFFECTED
    return BomTarget(ref=component_ref, versions=[BomTargetVersionRange(version=package.version, status=status)])
