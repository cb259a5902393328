"""The risk summaries behind the image and vulnerability lists, computed from the store in one pass.

Order: open findings by package → the images holding those packages → each image's findings by severity and
how many are fixable → where each image lives and who runs it (a workload running an index digest runs the
platform images catalogued from it) → each vulnerability's images, packages and running workloads. Reads whole
tables, so the server recomputes it in the background (web/jobs.py) and requests read the last snapshot.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden.model.dashboard import (
    ExposedWorkload,
    ImageRisk,
    RiskSnapshot,
    VulnerabilityRisk,
    image_risk_fields,
)
from regwarden.model.finding import Severity

TREND_DAYS = 30
_RANKS = {severity.value: severity.rank for severity in Severity}

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.dashboard_queries import ImageRow, PackageFinding, PlaceRow


def risk_snapshot(store: Store, now: datetime | None = None) -> RiskSnapshot:
    started = time.perf_counter()
    by_package: dict[int, list[PackageFinding]] = defaultdict(list)
    for finding in store.dashboard.open_findings():
        by_package[finding.package_id].append(finding)
    holders: dict[str, list[int]] = defaultdict(list)
    for digest, package_id in store.dashboard.holders():
        holders[digest].append(package_id)
    places = _places(store)
    running, production = _running(store)
    images = [_image(row, by_package, holders.get(row.digest, []), places.get(row.digest, []), running, production)
              for row in store.dashboard.images()]  # fmt: skip
    images.sort(key=lambda image: (-image.risk, image.name))
    vulnerabilities = _vulnerabilities(by_package, holders, running, production)
    moment = now or datetime.now(UTC)
    exposed_total, exposed = _exposed(store)
    return RiskSnapshot(
        computed_at=moment,
        seconds=time.perf_counter() - started,
        images=tuple(images),
        vulnerabilities=tuple(vulnerabilities),
        by_digest={image.digest: image for image in images},
        by_vulnerability={vulnerability.id: vulnerability for vulnerability in vulnerabilities},
        trend=severity_trend(store, moment.date()),
        exposed=tuple(exposed),
        exposed_total=exposed_total,
    )


def severity_trend(store: Store, today: date, days: int = TREND_DAYS) -> tuple[tuple[date, dict[str, int]], ...]:
    """Open package findings by severity at the end of each day: opened on or before it, not resolved by then.
    A finding reopened later counts from its newest first_seen only (the store keeps one span per finding)."""
    first_day = today - timedelta(days=days - 1)
    opened: dict[str, list[int]] = defaultdict(lambda: [0] * (days + 1))
    closed: dict[str, list[int]] = defaultdict(lambda: [0] * (days + 1))
    for severity, first_seen, resolved_at in store.dashboard.finding_spans():
        opened[severity][_slot(first_seen.date(), first_day, days)] += 1
        if resolved_at is not None:
            closed[severity][_slot(resolved_at.date(), first_day, days)] += 1
    series = []
    running = dict.fromkeys(opened, 0)
    for index in range(days):
        for severity in opened:
            running[severity] += opened[severity][index] - closed[severity][index]
        series.append((first_day + timedelta(days=index), dict(running)))
    return tuple(series)


def _slot(day: date, first_day: date, days: int) -> int:
    """Index of `day` in the window; anything before the window lands in slot 0 (it was open from the start)."""
    return min(max((day - first_day).days, 0), days)


def _exposed(store: Store, limit: int = 10) -> tuple[int, list[ExposedWorkload]]:
    total, rows = store.dashboard.exposed_workloads(limit)
    found = [
        ExposedWorkload(int(str(row["id"])), str(row["cluster"]), str(row["namespace"]), str(row["kind"]),
                        str(row["name"]), count, example)
        for row, count, example in rows
    ]  # fmt: skip
    return total, found


def _places(store: Store) -> dict[str, list[PlaceRow]]:
    found: dict[str, list[PlaceRow]] = defaultdict(list)
    for place in store.dashboard.places():
        found[place.digest].append(place)
    children = store.dashboard.index_children()
    for index, kids in children.items():
        for child in kids:
            if child not in found and index in found:
                found[child] = found[index]  # a platform image lives where its index lives
    return found


def _running(store: Store) -> tuple[Counter[str], Counter[str]]:
    children = store.dashboard.index_children()
    running: Counter[str] = Counter()
    production: Counter[str] = Counter()
    for row in store.dashboard.running():
        for digest in {row.digest, *children.get(row.digest, [])}:
            running[digest] += 1
            if row.environment == "production":
                production[digest] += 1
    return running, production


def _image(
    row: ImageRow,
    by_package: dict[int, list[PackageFinding]],
    held: list[int],
    places: list[PlaceRow],
    running: Counter[str],
    production: Counter[str],
) -> ImageRisk:
    counts: Counter[str] = Counter()
    fixable = 0
    for package_id in set(held):
        for finding in by_package.get(package_id, []):
            counts[finding.severity] += 1
            fixable += finding.fixable
    total, worst, risk = image_risk_fields(dict(counts), production[row.digest], _RANKS)
    first = places[0] if places else None
    tags = tuple(sorted({p.tag for p in places if p.tag and first and p.repository == first.repository}))
    name = f"{first.registry}/{first.repository}" + (f":{tags[0]}" if tags else "") if first else row.digest
    return ImageRisk(
        digest=row.digest,
        name=name,
        registry=first.registry if first else None,
        repository=first.repository if first else None,
        tags=tags,
        status=row.status,
        created=row.created,
        catalogued_at=row.catalogued_at,
        packages=row.packages,
        findings=dict(counts),
        fixable=fixable,
        running=running[row.digest],
        production=production[row.digest],
        total=total,
        worst=worst,
        risk=risk,
    )


def _vulnerabilities(
    by_package: dict[int, list[PackageFinding]],
    holders: dict[str, list[int]],
    running: Counter[str],
    production: Counter[str],
) -> list[VulnerabilityRisk]:
    images: dict[str, set[str]] = defaultdict(set)
    for digest, package_ids in holders.items():
        for package_id in package_ids:
            for finding in by_package.get(package_id, []):
                images[finding.vuln_id].add(digest)
    grouped: dict[str, list[PackageFinding]] = defaultdict(list)
    for findings in by_package.values():
        for finding in findings:
            grouped[finding.vuln_id].append(finding)
    result = [_vulnerability(vuln_id, found, images.get(vuln_id, set()), running, production)
              for vuln_id, found in grouped.items()]  # fmt: skip
    result.sort(key=lambda v: v.id)
    result.sort(key=lambda v: (v.rank, v.cvss_score or 0.0, v.production, v.running), reverse=True)  # the list's order
    return result


def _vulnerability(
    vuln_id: str, found: list[PackageFinding], digests: set[str], running: Counter[str], production: Counter[str]
) -> VulnerabilityRisk:
    worst = max(found, key=lambda f: _RANKS.get(f.severity, 0))
    scores = [f.cvss_score for f in found if f.cvss_score is not None]
    return VulnerabilityRisk(
        id=vuln_id,
        severity=worst.severity,
        rank=_RANKS.get(worst.severity, 0),
        summary=next((f.summary for f in found if f.summary), None),
        cvss_score=max(scores) if scores else None,
        packages=tuple(sorted({f.package for f in found})),
        images=len(digests),
        fixable=any(f.fixable for f in found),
        first_seen=min(f.first_seen for f in found),
        running=sum(running[digest] for digest in digests),
        production=sum(production[digest] for digest in digests),
    )
