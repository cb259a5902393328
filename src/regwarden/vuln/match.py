"""Matching an SBOM against advisories: pure, exact, and explained.

`match_sbom_report` asks `lookup(ecosystem, name)` for each of a package's index keys (`ecosystems.queries`),
keeps the affected entries whose key and release apply to the image, evaluates them (`ranges.evaluate_entry`),
and merges advisories that are aliases of each other into one finding per vulnerability per package. What could
not be evaluated comes back as `MatchUnknown`s beside the findings; `match_sbom` is the findings-only view the
contract names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from regwarden.model.advisory import Advisory, AffectedPackage
from regwarden.model.finding import Severity
from regwarden.model.sbom import OperatingSystem, Package, Sbom
from regwarden.model.vulnerability import MatchEvidence, MatchReport, MatchUnknown, VulnerabilityFinding
from regwarden.vuln.aliases import all_ids, group_aliases, id_sort_key, preferred_id
from regwarden.vuln.ecosystems import Query, coverage_gap, index_key, package_os, queries, release_matches
from regwarden.vuln.ranges import evaluate_entry
from regwarden.vuln.severity import Rating, rate, strongest

Lookup = Callable[[str, str], Sequence[Advisory]]

UNRATED_SEVERITY = Severity.CRITICAL
"""The bucket given to a finding no source rated: fail closed, so every `--fail-on` gate stops on it.

`MatchReport.unrated` marks these findings so reports print "unknown" rather than "critical".
"""


@dataclass(frozen=True)
class _Hit:
    advisory: Advisory
    entry: AffectedPackage
    evidence: MatchEvidence
    fixed: tuple[str, ...]


@dataclass(frozen=True)
class LookupPlan:
    """What `match_sbom_report` will ask `lookup` for one SBOM: each index key and the OS of its packages.

    A store can fetch every key in one batch, and leave out affected entries of releases that cannot apply
    (`wanted`): the matcher skips those entries anyway, so the findings and unknowns stay the same.
    """

    systems: Mapping[tuple[str, str], frozenset[OperatingSystem | None]]

    @property
    def keys(self) -> list[tuple[str, str]]:
        return sorted(self.systems)

    def wanted(self, key: tuple[str, str], ecosystem: str) -> bool:
        """Whether an entry of `ecosystem` under `key` may apply to some package looking it up."""
        return any(release_matches(ecosystem, system) is not False for system in self.systems.get(key, ()))


def lookup_plan(sbom: Sbom) -> LookupPlan:
    systems: dict[tuple[str, str], set[OperatingSystem | None]] = {}
    for package in sbom.packages:
        if coverage_gap(package, sbom.operating_system) is None:
            system = package_os(package, sbom.operating_system)
            for query in queries(package, sbom.operating_system):
                systems.setdefault(query.key, set()).add(system)
    return LookupPlan({key: frozenset(found) for key, found in systems.items()})


def match_sbom(
    sbom: Sbom,
    lookup: Lookup,
    *,
    database: str | None = None,
    database_age_days: float | None = None,
) -> list[VulnerabilityFinding]:
    """The findings of `match_sbom_report`; prefer that one to also report what could not be evaluated."""
    report = match_sbom_report(sbom, lookup, database=database, database_age_days=database_age_days)
    return list(report.findings)


def match_sbom_report(
    sbom: Sbom,
    lookup: Lookup,
    *,
    database: str | None = None,
    database_age_days: float | None = None,
) -> MatchReport:
    """Every vulnerability of every package, the advisories that could not be evaluated, and the unrated ones."""
    cached: dict[tuple[str, str], Sequence[Advisory]] = {}

    def cached_lookup(key: tuple[str, str]) -> Sequence[Advisory]:
        if key not in cached:
            cached[key] = lookup(*key)
        return cached[key]

    findings: list[VulnerabilityFinding] = []
    unknowns: list[MatchUnknown] = []
    unrated: set[tuple[str, Package]] = set()
    for package in sbom.packages:
        gap = coverage_gap(package, sbom.operating_system)
        if gap is not None:
            unknowns.append(MatchUnknown(package, None, gap))  # e.g. CentOS rpms: no data is not "no findings"
            continue
        hits, problems = _package_hits(package, sbom.operating_system, cached_lookup, (database, database_age_days))
        positions: dict[str, list[int]] = {}  # advisory id -> where its hits are in `hits`
        for index, hit in enumerate(hits):
            positions.setdefault(hit.advisory.id, []).append(index)
        unknowns += [problem for problem in problems if problem.advisory_id not in positions]
        for group in group_aliases(_unique_advisories(hits)):
            # The group's hits in their original order, without a pass over every hit per group (busy packages
            # have thousands of hits and hundreds of groups).
            grouped = [hits[i] for i in sorted(i for advisory in group for i in positions[advisory.id])]
            finding, rating = _finding(package, grouped)
            findings.append(finding)
            if rating.severity is None:
                unrated.add((finding.id, package))
    findings.sort(key=lambda f: (f.package.purl, f.package.name, id_sort_key(f.id)))
    return MatchReport(tuple(findings), tuple(unknowns), frozenset(unrated))


def _package_hits(
    package: Package,
    image_os: OperatingSystem | None,
    lookup: Callable[[tuple[str, str]], Sequence[Advisory]],
    database: tuple[str | None, float | None],
) -> tuple[list[_Hit], list[MatchUnknown]]:
    system = package_os(package, image_os)
    hits: list[_Hit] = []
    seen: set[MatchEvidence] = set()
    problems: dict[tuple[str | None, str], MatchUnknown] = {}
    for query in queries(package, image_os):
        for advisory in lookup(query.key):
            if advisory.withdrawn:
                continue  # A withdrawn advisory was found to be wrong; it never matches.
            for entry in advisory.affected:
                if index_key(entry.ecosystem, entry.name) != query.key:
                    continue
                applies = release_matches(entry.ecosystem, system)
                if applies is False:
                    continue
                if applies is None:
                    reason = f"{entry.ecosystem}: the image's OS release is unknown; release-scoped entry not evaluated"
                    problems.setdefault((advisory.id, reason), MatchUnknown(package, advisory.id, reason))
                    continue
                hit = _evaluate(package, query, advisory, entry, database, problems)
                if hit is not None and hit.evidence not in seen:
                    seen.add(hit.evidence)
                    hits.append(hit)
    return hits, list(problems.values())


def _evaluate(
    package: Package,
    query: Query,
    advisory: Advisory,
    entry: AffectedPackage,
    database: tuple[str | None, float | None],
    problems: dict[tuple[str | None, str], MatchUnknown],
) -> _Hit | None:
    verdict = evaluate_entry(entry, query.version)
    for reason in verdict.problems:
        problems.setdefault((advisory.id, reason), MatchUnknown(package, advisory.id, reason))
    if verdict.matched_by is None:
        return None
    evidence = MatchEvidence(
        advisory_id=advisory.id,
        ecosystem=entry.ecosystem,
        package_name=query.name,
        installed_version=query.version,
        matched_by=verdict.matched_by,
        detail=verdict.detail,
        database=database[0],
        database_age_days=database[1],
    )
    return _Hit(advisory, entry, evidence, verdict.fixed)


def _unique_advisories(hits: Sequence[_Hit]) -> list[Advisory]:
    seen: dict[str, Advisory] = {}
    for hit in hits:
        seen.setdefault(hit.advisory.id, hit.advisory)
    return list(seen.values())


def _finding(package: Package, hits: Sequence[_Hit]) -> tuple[VulnerabilityFinding, Rating]:
    """One finding for a group of aliased advisories: preferred id, every other id, worst rating, all evidence."""
    advisories = _unique_advisories(hits)
    ids = all_ids(advisories)
    chosen = preferred_id(ids)
    rating = strongest(rate(hit.advisory, hit.entry) for hit in hits)
    fixed = tuple(dict.fromkeys(version for hit in hits for version in hit.fixed))
    summary = next((advisory.summary for advisory in advisories if advisory.summary), None)
    finding = VulnerabilityFinding(
        id=chosen,
        aliases=tuple(sorted(ids - {chosen}, key=id_sort_key)),
        package=package,
        severity=rating.severity or UNRATED_SEVERITY,
        cvss_score=rating.score,
        cvss_vector=rating.vector,
        fixed_versions=fixed,
        summary=summary,
        evidence=tuple(hit.evidence for hit in hits),
    )
    return finding, rating
