"""Which triage decision applies to a finding in an image: the most specific one that has not expired.

An image decision beats a repository decision, which beats one for every image; among equals, the newest wins
(triage is append-only: changing one's mind is a new decision, and the old one stays as history). A decision for
one package beats one for every package of the same scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from regwarden.model.inventory import ImageName, TriageDecision, TriageScope

_SPECIFICITY = {TriageScope.IMAGE: 2, TriageScope.REPOSITORY: 1, TriageScope.ALL: 0}


def applicable_triage(
    decisions: Sequence[TriageDecision],
    vuln_ids: Iterable[str],
    digest: str,
    places: Iterable[ImageName],
    package: str,
    today: date,
) -> TriageDecision | None:
    """The decision that applies to `package` in image `digest` (living at `places`) for any of `vuln_ids`."""
    ids = set(vuln_ids)
    repositories = {f"{place.registry}/{place.repository}" for place in places}
    candidates = [
        decision
        for decision in decisions
        if decision.vuln_id in ids
        and (decision.expires is None or decision.expires >= today)
        and (not decision.package or decision.package.lower() == package.lower())
        and _covers(decision, digest, repositories)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda d: (_SPECIFICITY[d.scope], bool(d.package), d.created_at))


def _covers(decision: TriageDecision, digest: str, repositories: set[str]) -> bool:
    if decision.scope is TriageScope.IMAGE:
        return decision.target == digest
    if decision.scope is TriageScope.REPOSITORY:
        return decision.target in repositories
    return True
