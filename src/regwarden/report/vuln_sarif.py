"""A scan as SARIF 2.1.0 for GitHub code scanning and Azure DevOps: one rule per vulnerability id, one result
per vulnerable package.

`security-severity` is the CVSS base score when the advisory gives one, else a score in the band GitHub maps to
the same severity (critical >= 9.0, high >= 7.0, medium >= 4.0, low). Suppressed findings stay as results with a
SARIF `suppressions` entry carrying the reason, so the platform shows them as dismissed instead of forgetting them.
Results point at the file the package was read from inside the image (e.g. var/lib/dpkg/status), since code
scanning needs a physical location.
"""

from __future__ import annotations

import hashlib
from typing import Any

from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.report.sarif import BAND_SCORE, LEVEL, render_sarif_log
from regwarden.report.vuln_common import ScanReport, fixed_in, ordered


def render_vuln_sarif(report: ScanReport) -> bytes:
    findings = ordered(report.findings)
    rules = _rules(findings)
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    properties = {"source": report.sbom.source, "imageDigest": report.sbom.image_digest}
    return render_sarif_log(rules, [_result(f, index[f.id], report) for f in findings], properties=properties)


def _rules(findings: list[VulnerabilityFinding]) -> list[dict[str, Any]]:
    # `findings` is most-severe first, so the first finding of an id carries the id's highest severity.
    first: dict[str, VulnerabilityFinding] = {}
    for finding in findings:
        first.setdefault(finding.id, finding)
    return [_rule(first[vuln_id]) for vuln_id in sorted(first)]


def _rule(finding: VulnerabilityFinding) -> dict[str, Any]:
    summary = finding.summary or finding.id
    aliases = ", ".join(finding.aliases) or "none"
    text = f"{summary}\nAliases: {aliases}"
    return {
        "id": finding.id,
        "name": "Vulnerability",
        "shortDescription": {"text": summary},
        "fullDescription": {"text": text},
        "helpUri": f"https://osv.dev/vulnerability/{finding.id}",
        "help": {
            "text": text,
            "markdown": f"**{summary}**\n\nAliases: {aliases}\n\nhttps://osv.dev/vulnerability/{finding.id}",
        },
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
        "properties": {
            "security-severity": f"{_security_severity(finding):.1f}",
            "tags": ["security", "vulnerability", finding.severity.value],
            "precision": "very-high",
        },
    }


def _security_severity(finding: VulnerabilityFinding) -> float:
    return finding.cvss_score if finding.cvss_score is not None else BAND_SCORE[finding.severity]


def _result(finding: VulnerabilityFinding, rule_index: int, report: ScanReport) -> dict[str, Any]:
    package = finding.package
    message = (
        f"{package.name} {package.version} ({package.type.value}) is affected by {finding.id} "
        f"({finding.severity.value}); fixed in: {fixed_in(finding)}. Image: {report.sbom.source}"
    )
    entry: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding, report)],
        "partialFingerprints": {
            "regwardenVulnerability/v1": hashlib.sha256(f"{finding.id}|{package.purl}".encode()).hexdigest()
        },
        "properties": {
            "purl": package.purl,
            "installedVersion": package.version,
            "fixedVersions": list(finding.fixed_versions),
            "aliases": list(finding.aliases),
        },
    }
    if finding.suppressed_by is not None:
        entry["suppressions"] = [{"kind": "external", "justification": finding.suppressed_by}]
    return entry


def _location(finding: VulnerabilityFinding, report: ScanReport) -> dict[str, Any]:
    package = finding.package
    path = package.locations[0].path.lstrip("/") if package.locations else report.sbom.source
    return {
        "physicalLocation": {"artifactLocation": {"uri": path}, "region": {"startLine": 1}},
        "logicalLocations": [{"name": package.name, "fullyQualifiedName": package.purl, "kind": "package"}],
    }
