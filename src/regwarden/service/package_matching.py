"""Match stored packages against the advisory store and record what changed (store/findings.py).

The matcher is the one `scan` uses (vuln/match.py through service/scan.match_with_store), so an inventory
finding is exactly the finding a scan of the image would report. Packages are matched grouped by OS (OS advisories
are scoped to a release) and in batches, so memory stays bounded however many packages an update touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

from regwarden.model.sbom import OperatingSystem, Package, Sbom
from regwarden.service.scan import match_with_store

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.findings import EvaluatedFinding, FindingChanges
    from regwarden.store.packages import StoredPackage

MATCH_BATCH = 2000
"""Packages matched per lookup batch: one SBOM-sized query set, a few MB of advisory views."""


def match_stored_packages(store: Store, package_ids: Iterable[int], now: datetime | None = None) -> FindingChanges:
    """Re-evaluate these packages against every advisory that names them; store new and resolved findings."""
    ids = sorted(set(package_ids))
    evaluated: list[EvaluatedFinding] = []
    for batch in _batches(ids):
        by_os: dict[OperatingSystem | None, list[StoredPackage]] = {}
        for stored in store.catalog.packages_by_id(batch):
            by_os.setdefault(stored.operating_system, []).append(stored)
        for system, group in by_os.items():
            evaluated += _match_group(store, system, group)
    return store.findings.apply(ids, evaluated, now)


def _match_group(store: Store, system: OperatingSystem | None, group: list[StoredPackage]) -> list[EvaluatedFinding]:
    from regwarden.store.findings import EvaluatedFinding

    ids: dict[Package, int] = {stored.package: stored.id for stored in group}
    sbom = Sbom(source="inventory", packages=tuple(ids), operating_system=system)
    report = match_with_store(sbom, store, None)
    return [EvaluatedFinding(ids[f.package], f, report.is_unrated(f)) for f in report.findings]


def _batches(ids: list[int]) -> Iterable[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, MATCH_BATCH)):
        yield batch
