"""After an advisory update: re-match only what the changed advisories name, never every stored SBOM.

Order: the changed and removed advisory ids → the lookup keys they are filed under, plus the packages whose open
findings rest on them → those packages re-matched (service/package_matching.py) → new and resolved findings → the
images holding them → the running workloads, whose exposures open and close and raise events. The store of
advisories is already written when this runs; a failure here leaves findings as they were, and the next update
(or `regwarden rematch`) catches up, because `matched_through` only moves once rematching succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.model.advisory_database import RematchReport

if TYPE_CHECKING:
    from regwarden.store import Store


def rematch_advisories(
    store: Store,
    changed: Iterable[str],
    removed: Iterable[str] = (),
    *,
    endpoints: Sequence[str] = (),
    now: datetime | None = None,
) -> RematchReport:
    from regwarden.service.exposure import refresh_exposures
    from regwarden.service.package_matching import match_stored_packages
    from regwarden.store.exposures import ExposureScope

    moment = now or datetime.now(UTC)
    ids = set(changed) | set(removed)
    package_ids = store.catalog.package_ids_for_keys(store.advisories.index_keys_of(ids))
    package_ids |= store.findings.packages_with(ids)
    changes = match_stored_packages(store, package_ids, moment)
    touched = {package_id for package_id, _ in changes.new | changes.resolved}
    images = store.impact.digests_holding(touched) if touched else set()
    exposures = refresh_exposures(store, ExposureScope(vuln_ids=changes.vulnerabilities), endpoints, moment)
    mark_matched_through(store)
    return RematchReport(
        advisories=len(ids),
        packages=len(package_ids),
        new_findings=len(changes.new),
        resolved_findings=len(changes.resolved),
        images=len(images),
        exposures_opened=len(exposures.opened),
        exposures_closed=len(exposures.closed),
        events=exposures.events,
    )


def mark_matched_through(store: Store) -> None:
    """Record that every stored package is matched against the advisory data as of its newest update."""
    from regwarden.store.state import MATCHED_THROUGH

    newest = store.advisories.newest_update()
    if newest is not None:
        store.state.set(MATCHED_THROUGH, newest.isoformat())
