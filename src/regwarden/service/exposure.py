"""Keep exposures (production workloads affected by an open finding) current, and raise their events.

Called by every use case that can change them: an advisory update (new or resolved findings), a cluster sync
(workloads started, stopped or reclassified), the catalog of a running digest, and a triage decision. Triage is
honoured here, so an accepted or not-affected finding never pages anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.triage import applicable_triage
from regwarden.model.inventory import Exposure, ImageName, TriageDecision

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.exposures import ExposureChanges, ExposureScope


def refresh_exposures(
    store: Store, scope: ExposureScope, endpoints: Sequence[str] = (), now: datetime | None = None
) -> ExposureChanges:
    """Recompute the exposures inside `scope`, minus triaged ones; open, close and announce the difference."""
    moment = now or datetime.now(UTC)
    candidates = store.exposures.candidates(scope)
    current = untriaged(store, candidates, moment)
    return store.exposures.refresh(scope, current, endpoints=endpoints, now=moment)


def untriaged(store: Store, candidates: Sequence[Exposure], now: datetime) -> list[Exposure]:
    """The exposures no unexpired triage decision covers."""
    if not candidates:
        return []
    vuln_ids = {exposure.vuln_id for exposure in candidates}
    aliases = store.findings.aliases_of(vuln_ids)
    decisions = store.triage.decisions(vuln_ids | {alias for found in aliases.values() for alias in found})
    if not decisions:
        return list(candidates)
    places = store.impact.places({exposure.component.digest for exposure in candidates})
    return [
        exposure
        for exposure in candidates
        if _decision(decisions, exposure, aliases.get(exposure.vuln_id, []), places, now) is None
    ]


def _decision(
    decisions: Sequence[TriageDecision],
    exposure: Exposure,
    aliases: Sequence[str],
    places: dict[str, list[ImageName]],
    now: datetime,
) -> TriageDecision | None:
    component = exposure.component
    return applicable_triage(
        decisions,
        [exposure.vuln_id, *aliases],
        component.digest,
        places.get(component.digest, []),
        component.package,
        now.date(),
    )
