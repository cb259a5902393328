"""An image's stored findings as the scan report formats take them (SARIF, CycloneDX with vulnerabilities, JSON),
rebuilt from the store: nothing is scanned or matched again.

The SBOM is the stored one; each open finding is attached to its package in it (by purl, name and version);
a finding covered by an active triage decision is reported as suppressed, with the decision as the reason
(except `accepted`, which keeps counting: it is a risk taken, not a finding removed). The database facts are
the store's: where it is and its newest advisory update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.triage import applicable_triage
from regwarden.model.errors import NotFoundError
from regwarden.model.finding import Severity
from regwarden.model.inventory import TriageState
from regwarden.model.sbom import Package
from regwarden.model.vulnerability import MatchEvidence, VulnerabilityFinding
from regwarden.report.vuln_common import DatabaseInfo, ScanReport

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.dashboard_queries import StoredFinding

EXPORT_FORMATS = ("sarif", "cyclonedx-json", "json")


def stored_scan_report(store: Store, digest: str, now: datetime | None = None) -> ScanReport:
    moment = now or datetime.now(UTC)
    sbom = store.sboms.sbom(digest)
    if sbom is None:
        raise NotFoundError(f"image {digest} is not catalogued")
    by_identity = {(p.purl, p.name, p.version): p for p in sbom.packages}
    places = store.impact.places([digest]).get(digest, [])
    stored = store.dashboard.image_findings(digest)
    decisions = store.triage.decisions({i for f in stored for i in f.ids}) if stored else []
    findings, unrated = [], set()
    for item in stored:
        package = by_identity.get((item.package_purl, item.package_name, item.package_version))
        if package is None:
            continue  # the component row and the SBOM come from the same catalog entry; kept safe anyway
        decision = applicable_triage(decisions, item.ids, digest, places, item.package_name, moment.date())
        suppressed = None
        if decision is not None and decision.state is not TriageState.ACCEPTED:
            suppressed = f"triage {decision.state.value} by {decision.author}: {decision.reason}"
        findings.append(_finding(item, package, suppressed))
        if item.unrated:
            unrated.add((item.vuln_id, package))
    newest = store.advisories.newest_update()
    age = (moment - newest).total_seconds() / 86400 if newest else None
    return ScanReport(
        sbom=sbom,
        findings=tuple(findings),
        database=DatabaseInfo(store.url, newest, age),
        warnings=(),
        fail_on=None,
        gate_failed=False,
        scanned_at=moment,
        unrated=frozenset(unrated),
    )


def render_export(report: ScanReport, output_format: str) -> bytes:
    from regwarden.service.scan import render_scan

    return render_scan(report, output_format)


def _finding(item: StoredFinding, package: Package, suppressed: str | None) -> VulnerabilityFinding:
    evidence = tuple(
        MatchEvidence(**{key: str(value) for key, value in entry.items() if key in _EVIDENCE_FIELDS})  # type: ignore[arg-type]
        for entry in item.evidence
    )
    return VulnerabilityFinding(
        id=item.vuln_id,
        aliases=tuple(i for i in item.ids if i != item.vuln_id),
        package=package,
        severity=Severity(item.severity),
        cvss_score=item.cvss_score,
        fixed_versions=item.fixed,
        summary=item.summary,
        evidence=evidence,
        suppressed_by=suppressed,
    )


_EVIDENCE_FIELDS = frozenset({"advisory_id", "ecosystem", "package_name", "installed_version", "matched_by", "detail"})
