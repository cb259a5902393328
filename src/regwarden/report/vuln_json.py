"""A scan as regwarden's own JSON: stable keys and order, for scripts, `jq` and dashboards.

Suppressed findings are included with `suppressed_by`, so "what did we accept, and why" stays answerable; the
`summary` counts only the findings that count for the gate.
"""

from __future__ import annotations

import json
from typing import Any

from regwarden.model.sbom import Package
from regwarden.model.vulnerability import MatchEvidence, VulnerabilityFinding
from regwarden.report.vuln_common import ScanReport, ordered, severity_counts

SCHEMA = "https://regwarden.dev/schemas/vulnerabilities/v1"


def render_vuln_json(report: ScanReport) -> bytes:
    return json.dumps(scan_document(report), indent=2, ensure_ascii=False).encode() + b"\n"


def scan_document(report: ScanReport) -> dict[str, Any]:
    sbom, database = report.sbom, report.database
    os_ = sbom.operating_system
    return {
        "schema": SCHEMA,
        "source": sbom.source,
        "image_digest": sbom.image_digest,
        "operating_system": None if os_ is None else {"id": os_.id, "version_id": os_.version_id},
        "scanned_at": report.scanned_at.isoformat(),
        "database": {
            "location": database.location,
            "newest_update": database.newest_update.isoformat() if database.newest_update else None,
            "age_days": None if database.age_days is None else round(database.age_days, 2),
        },
        "gate": {
            "fail_on": report.fail_on.value if report.fail_on else None,
            "failed": report.gate_failed,
        },
        "summary": {
            **{s.value: n for s, n in severity_counts(report.counted).items()},
            "suppressed": len(report.suppressed),
            "packages_scanned": len(sbom.packages),
        },
        "warnings": list(report.warnings),
        "findings": [_finding(f, report) for f in ordered(report.findings)],
        "match_unknowns": [
            {"purl": u.package.purl, "advisory_id": u.advisory_id, "reason": u.reason} for u in report.match_unknowns
        ],
        "unknowns": [{"path": u.path, "reason": u.reason, "cataloger": u.cataloger} for u in sbom.unknowns],
    }


def _finding(finding: VulnerabilityFinding, report: ScanReport) -> dict[str, Any]:
    return {
        "id": finding.id,
        "aliases": list(finding.aliases),
        "severity": finding.severity.value,
        "unrated": (finding.id, finding.package) in report.unrated,
        "cvss_score": finding.cvss_score,
        "cvss_vector": finding.cvss_vector,
        "fixed_versions": list(finding.fixed_versions),
        "fix_available": finding.fix_available,
        "summary": finding.summary,
        "package": _package(finding.package),
        "evidence": [_evidence(e) for e in finding.evidence],
        "suppressed_by": finding.suppressed_by,
    }


def _package(package: Package) -> dict[str, Any]:
    layer = package.layer
    return {
        "name": package.name,
        "version": package.version,
        "type": package.type.value,
        "purl": package.purl,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "layer": None if layer is None else {"index": layer.index, "digest": layer.digest},
        "locations": [location.path for location in package.locations],
    }


def _evidence(evidence: MatchEvidence) -> dict[str, Any]:
    return {
        "advisory_id": evidence.advisory_id,
        "ecosystem": evidence.ecosystem,
        "package_name": evidence.package_name,
        "installed_version": evidence.installed_version,
        "matched_by": evidence.matched_by,
        "detail": evidence.detail,
        "database": evidence.database,
    }
