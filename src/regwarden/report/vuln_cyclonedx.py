"""A scan as CycloneDX 1.6 JSON: the image's SBOM (report/cyclonedx.bom_document) plus its `vulnerabilities`.

Each finding is one vulnerability entry affecting one component (by bom-ref). Suppressed findings become VEX
analysis: a VEX `not_affected` statement maps to state `not_affected` with the matching CycloneDX justification,
VEX `fixed` to `resolved`, and an ignore-file entry (an accepted risk, not a claim of non-exposure) to response
`will_not_fix` with the reason as detail. Entries are written as cyclonedx-python-lib wrote them (keys in order,
sorted by id then bom-ref, references and evidence sorted and unique, the score to one decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from regwarden.model.sbom import Package
from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.report.cyclonedx import Document, bom_document, bom_refs, encode_json
from regwarden.report.vuln_common import ScanReport, ordered

# OpenVEX justification labels → CycloneDX impact-analysis justifications (closest meaning).
_JUSTIFICATION = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "protected_at_runtime",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}
# vector prefix → CycloneDX scoring method; a CVSS 3 or 4 vector is written without its prefix.
_CVSS_METHOD = (("CVSS:4.0/", "CVSSv4"), ("CVSS:3.1/", "CVSSv31"), ("CVSS:3.0/", "CVSSv3"), ("AV:", "CVSSv2"))
OSV_URL = "https://osv.dev/vulnerability/"


def render_vuln_cyclonedx_json(report: ScanReport) -> bytes:
    # The same bom-refs bom_document gives the components (purl, made unique), so `affects` points at them.
    refs = dict(zip(report.sbom.packages, bom_refs(report.sbom.packages), strict=True))
    entries = [
        _vulnerability(finding, refs.get(finding.package), n) for n, finding in enumerate(ordered(report.findings))
    ]
    entries.sort(key=lambda entry: (entry["id"], entry["bom-ref"]))
    return encode_json(bom_document(report.sbom, entries))


def _vulnerability(finding: VulnerabilityFinding, component_ref: str | None, n: int) -> Document:
    entry: Document = {}
    if component_ref:
        entry["affects"] = [_target(finding.package, component_ref, finding.suppressed_by)]
    if (analysis := _analysis(finding.suppressed_by)) is not None:
        entry["analysis"] = analysis
    entry["bom-ref"] = f"vuln-{n}:{finding.id}:{finding.package.purl}"
    if finding.summary is not None:
        entry["description"] = finding.summary
    entry["id"] = finding.id
    if finding.evidence:
        evidence = sorted({e.detail for e in finding.evidence})
        entry["properties"] = [{"name": "regwarden:evidence", "value": detail} for detail in evidence]
    entry["ratings"] = [_rating(finding)]
    entry["recommendation"] = _recommendation(finding)
    if finding.aliases:
        entry["references"] = [
            {"id": alias, "source": {"url": OSV_URL + alias}} for alias in sorted(set(finding.aliases))
        ]
    entry["source"] = {"name": "OSV", "url": OSV_URL + finding.id}
    return entry


def _rating(finding: VulnerabilityFinding) -> Document:
    vector = finding.cvss_vector
    prefix, method = next(((p, m) for p, m in _CVSS_METHOD if vector and vector.startswith(p)), ("", None))
    rating: Document = {}
    if method is not None:
        rating["method"] = method
    if finding.cvss_score is not None:
        rating["score"] = float(f"{Decimal(str(finding.cvss_score)):.1f}")
    rating["severity"] = finding.severity.value
    if vector is not None:
        rating["vector"] = vector.removeprefix(prefix) if prefix.startswith("CVSS:") else vector
    return rating


def _recommendation(finding: VulnerabilityFinding) -> str:
    if not finding.fixed_versions:
        return "No fixed version is known yet."
    return f"Upgrade {finding.package.name} to {' or '.join(finding.fixed_versions)}."


def _analysis(suppressed_by: str | None) -> Document | None:
    if suppressed_by is None:
        return None
    if suppressed_by.startswith("VEX fixed"):
        return {"detail": suppressed_by, "state": "resolved"}
    if suppressed_by.startswith("VEX not_affected"):
        label = suppressed_by.removeprefix("VEX not_affected: ").split(" ", 1)[0]
        analysis: dict[str, Any] = {"detail": suppressed_by}
        if label in _JUSTIFICATION:
            analysis["justification"] = _JUSTIFICATION[label]
        return analysis | {"state": "not_affected"}
    return {"detail": suppressed_by, "response": ["will_not_fix"]}


def _target(package: Package, component_ref: str, suppressed_by: str | None) -> Document:
    # Only a VEX statement says the installed version is unaffected; an ignore entry accepts an affected one.
    vex_clears = suppressed_by is not None and suppressed_by.startswith(("VEX not_affected", "VEX fixed"))
    return {
        "ref": component_ref,
        "versions": [{"status": "unaffected" if vex_clears else "affected", "version": package.version}],
    }
