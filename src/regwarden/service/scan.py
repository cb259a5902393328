"""The scan use case: target → SBOM → advisories from the store → VEX → ignore file → filters → gate.

An empty or missing advisory database is a `NoDataError` (exit 8), never "no vulnerabilities found": a clean
result must mean "we looked, with data, and found nothing". The database's age is checked against
`max_db_age_days` and a stale database is a warning in the result (and on stderr), not a silent risk.
Order matters: VEX statements first (a supplier's word about the product), then the user's ignore file; the
first suppression's reason is the one kept. Filters (`--severity`, `--ignore-unfixed`) apply last and define
what is shown; the gate counts the shown findings that are not suppressed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.advisory import Advisory
from regwarden.model.errors import NoDataError
from regwarden.model.finding import Severity
from regwarden.model.sbom import Sbom
from regwarden.model.vex import VexStatement
from regwarden.model.vulnerability import MatchReport, VulnerabilityFinding
from regwarden.report.vuln_common import DatabaseInfo, ScanReport
from regwarden.service.images import ImageOptions, sbom_of
from regwarden.vuln.ignore import DEFAULT_IGNORE_FILE, IgnoreEntry, IgnoreFileError, apply_ignores
from regwarden.vuln.match import LookupPlan, lookup_plan

if TYPE_CHECKING:  # the store (and SQLAlchemy) loads only when a scan runs
    from regwarden.store import Store

SCAN_FORMATS: tuple[str, ...] = ("table", "json", "sarif", "cyclonedx-json", "markdown")
DEFAULT_MAX_DB_AGE_DAYS = 7.0
_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class ScanOptions:
    image: ImageOptions = field(default_factory=ImageOptions)
    db_url: str | None = None
    severities: frozenset[Severity] = frozenset()
    """Only show these; empty shows every severity."""
    fail_on: Severity | None = None
    ignore_unfixed: bool = False
    ignore_file: Path | None = None
    """None: `.regwarden-ignore.yaml` in the working directory when it exists."""
    vex_files: tuple[Path, ...] = ()
    max_db_age_days: float = DEFAULT_MAX_DB_AGE_DAYS


@dataclass(frozen=True)
class Policy:
    """What the user said about findings before the scan: accepted risks and VEX statements."""

    ignores: tuple[IgnoreEntry, ...]
    statements: tuple[VexStatement, ...]


def scan(
    target: str,
    options: ScanOptions,
    *,
    cwd: Path | None = None,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> ScanReport:
    """Scan an image reference or an SBOM file (CycloneDX, SPDX, regwarden JSON)."""
    policy = load_policy(options, cwd or Path.cwd())  # bad policy files fail before any slow work
    return _with_store(options, environ, lambda: sbom_of(target, options.image), policy, now)


def scan_sbom(
    sbom: Sbom,
    options: ScanOptions,
    *,
    cwd: Path | None = None,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> ScanReport:
    policy = load_policy(options, cwd or Path.cwd())
    return _with_store(options, environ, lambda: sbom, policy, now)


def load_policy(options: ScanOptions, cwd: Path) -> Policy:
    from regwarden.collect.sbomfile.openvex import read_openvex_file
    from regwarden.vuln.ignore import parse_ignore_file

    ignore_path = options.ignore_file
    if ignore_path is None and (cwd / DEFAULT_IGNORE_FILE).is_file():
        ignore_path = cwd / DEFAULT_IGNORE_FILE
    ignores: tuple[IgnoreEntry, ...] = ()
    if ignore_path is not None:
        try:
            text = ignore_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise IgnoreFileError(f"cannot read ignore file {ignore_path}: {error}") from error
        ignores = parse_ignore_file(text, str(ignore_path))
    statements = tuple(s for path in options.vex_files for s in read_openvex_file(path))
    return Policy(ignores, statements)


def _with_store(
    options: ScanOptions,
    environ: Mapping[str, str] | None,
    read_sbom: Callable[[], Sbom],
    policy: Policy,
    now: datetime | None,
) -> ScanReport:
    from regwarden.store import database_age, open_store

    moment = now or datetime.now(UTC)
    with open_store(options.db_url, os.environ if environ is None else environ) as store:
        if store.advisories.is_empty():
            raise NoDataError(
                f"the vulnerability database {store.url} is empty: run `regwarden db update` (online) or "
                "`regwarden db import PATH` (air-gapped) first; without advisories a scan cannot say anything"
            )
        age = database_age(store, moment)
        age_days = None if age is None else age.total_seconds() / _SECONDS_PER_DAY
        database = DatabaseInfo(store.url, store.advisories.newest_update(), age_days)
        sbom = read_sbom()  # after the emptiness check: a missing database fails before a slow image pull
        plan = lookup_plan(sbom)
        matched = match_with_store(sbom, store, age_days, plan)
        needed = ecosystem_counts(plan)
        gaps = coverage_warnings(needed, {status.ecosystem for status in store.advisories.status()})
        gaps.extend(record_seen_ecosystems(store, needed, moment))
    return _report(sbom, matched, database, policy, options, moment, gaps)


def ecosystem_counts(plan: LookupPlan) -> dict[str, int]:
    """Base ecosystem → how many package names the match looks up under it (the store's own key spelling)."""
    needed: dict[str, int] = {}
    for ecosystem, _name in plan.keys:
        needed[ecosystem] = needed.get(ecosystem, 0) + 1
    return needed


def record_seen_ecosystems(store: Store, counts: Mapping[str, int], moment: datetime) -> list[str]:
    """Remember what this scan needed, so `db update` without `-e` fetches it; warnings when that fails.

    Only after a successful match, and never fatal: a read-only database (a shared mirror, a mounted volume)
    must still answer scans, it just stops learning which ecosystems its users need.
    """
    from sqlalchemy.exc import DBAPIError

    try:
        store.advisories.record_seen(counts, moment)
    except DBAPIError as error:  # read-only file or role, read-only transaction, locked database
        reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
        return [f"could not record the ecosystems this scan needed in {store.url} ({reason})"]
    return []


def coverage_warnings(needed: Mapping[str, int], stored_ecosystems: set[str]) -> list[str]:
    """Ecosystems the image needs (`ecosystem_counts`) but the database holds nothing for: "no findings" there
    means "not checked". Said loudly in every output, so a database updated for PyPI alone never passes a Debian
    image silently.
    """
    missing = sorted(set(needed) - stored_ecosystems)
    return [
        f"the database has no {ecosystem} advisories: {needed[ecosystem]} {ecosystem} package name(s) were not "
        f"checked; run `regwarden db update -e {ecosystem}`"
        for ecosystem in missing
    ]


def match_with_store(sbom: Sbom, store: Store, age_days: float | None, plan: LookupPlan | None = None) -> MatchReport:
    """Match `sbom` against `store`, fetching every key it needs in one batch of queries first.

    The batch returns match views (store/match_view.py) without the entries of releases that cannot apply: the
    same findings and unknowns as `lookup`, without decoding whole records one key at a time.
    """
    from regwarden.vuln.match import match_sbom_report

    with cyclic_gc_paused():
        plan = plan or lookup_plan(sbom)
        table = store.advisories.lookup_many(plan.keys, plan.wanted)

        def lookup(ecosystem: str, name: str) -> list[Advisory]:
            return table.get((ecosystem, name), [])

        return match_sbom_report(sbom, lookup, database=store.url, database_age_days=age_days)


def _report(
    sbom: Sbom,
    matched: MatchReport,
    database: DatabaseInfo,
    policy: Policy,
    options: ScanOptions,
    moment: datetime,
    coverage: list[str] | None = None,
) -> ScanReport:
    from regwarden.vuln.vex import apply_vex

    after_vex = apply_vex(matched.findings, policy.statements, sbom.image_digest)
    outcome = apply_ignores(after_vex, policy.ignores, moment.date())
    shown = tuple(f for f in outcome.findings if _shown(f, options))
    counted = [f for f in shown if f.suppressed_by is None]
    gate_failed = options.fail_on is not None and any(f.severity.rank >= options.fail_on.rank for f in counted)
    warnings = [*_staleness(database, options), *(coverage or []), *outcome.warnings()]
    if matched.unknowns:
        warnings.append(f"{len(matched.unknowns)} advisory entries could not be evaluated (listed in the output)")
    return ScanReport(
        sbom=sbom,
        findings=shown,
        database=database,
        warnings=tuple(warnings),
        fail_on=options.fail_on,
        gate_failed=gate_failed,
        scanned_at=moment,
        match_unknowns=matched.unknowns,
        unrated=matched.unrated,
    )


def _shown(finding: VulnerabilityFinding, options: ScanOptions) -> bool:
    if options.severities and finding.severity not in options.severities:
        return False
    return not (options.ignore_unfixed and not finding.fixed_versions)


def _staleness(database: DatabaseInfo, options: ScanOptions) -> list[str]:
    if database.age_days is None:
        return [f"the vulnerability database {database.location} records no update time; its age is unknown"]
    if database.age_days <= options.max_db_age_days:
        return []
    return [
        f"the vulnerability database is {database.age_days:.1f} days old (more than --max-db-age "
        f"{options.max_db_age_days:g}); run `regwarden db update` for current advisories"
    ]


def render_scan(report: ScanReport, output_format: str) -> bytes:
    from regwarden.model.errors import BadInputError

    if output_format == "table":
        from regwarden.report.vuln_table import render_vuln_table

        return render_vuln_table(report)
    if output_format == "json":
        from regwarden.report.vuln_json import render_vuln_json

        return render_vuln_json(report)
    if output_format == "sarif":
        from regwarden.report.vuln_sarif import render_vuln_sarif

        return render_vuln_sarif(report)
    if output_format == "cyclonedx-json":
        from regwarden.report.vuln_cyclonedx import render_vuln_cyclonedx_json

        return render_vuln_cyclonedx_json(report)
    if output_format == "markdown":
        from regwarden.report.vuln_markdown import render_vuln_markdown

        return render_vuln_markdown(report)
    raise BadInputError(f"unknown scan format {output_format!r}; expected one of: {', '.join(SCAN_FORMATS)}")
