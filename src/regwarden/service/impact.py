"""The impact questions: which running workloads and images a vulnerability affects (`affected`), and where a
package runs (`where`). Both are index walks over the inventory; neither reads an image or re-matches anything.

`affected ID` accepts any id of a vulnerability: the finding's own (a CVE when one exists), an alias (GHSA, PYSEC,
DSA …) or the id of an advisory in the database. An id nothing answers to is a NotFoundError (exit 7): "no such
vulnerability" must never read as "nothing affected". Triage is honoured: triaged rows are listed apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.triage import applicable_triage
from regwarden.model.errors import NotFoundError
from regwarden.model.inventory import AffectedReport, ComponentHit, ImpactRow, TriageDecision, WhereReport
from regwarden.vuln.aliases import preferred_id
from regwarden.vuln.package_query import parse_package_query
from regwarden.vuln.versions import VersionError

if TYPE_CHECKING:
    from regwarden.store import Store


def affected(store: Store, identifier: str, now: datetime | None = None) -> AffectedReport:
    moment = now or datetime.now(UTC)
    query = identifier.strip()
    vuln_ids, aliases, summary = _resolve(store, query)
    if not vuln_ids and not aliases:
        raise NotFoundError(
            f"no advisory or finding answers to {query!r}: check the id, or run `regwarden db update` if it is new"
        )
    hits = store.impact.finding_hits(vuln_ids)
    digests = {hit.component.digest for hit in hits}
    running = store.impact.running(digests)
    decisions = store.triage.decisions(vuln_ids | aliases | {query})
    triage = _triage_lookup(store, decisions, vuln_ids | aliases | {query}, digests, moment)
    rows = tuple(
        ImpactRow(hit.component, tuple(running.get(hit.component.digest, [])), triage(hit.component)) for hit in hits
    )
    every_id = vuln_ids | aliases | {query}
    chosen = preferred_id(every_id)
    return AffectedReport(query, chosen, tuple(sorted(every_id - {chosen})), summary, rows)


def where(store: Store, text: str) -> WhereReport:
    """Every catalogued image holding the package (in the version range), and the workloads running it."""
    query = parse_package_query(text)
    matching: set[int] = set()
    unordered: set[str] = set()
    for package_id, package_type, name, version, purl in store.impact.packages_named(query.name.lower()):
        if not query.matches_identity(package_type, name, purl):
            continue
        try:
            if query.matches_version(package_type, version):
                matching.add(package_id)
        except VersionError:
            unordered.add(f"{name} {version}")
    hits = store.impact.package_hits(matching) if matching else []
    running = store.impact.running({hit.digest for hit in hits})
    rows = tuple(ImpactRow(hit, tuple(running.get(hit.digest, []))) for hit in hits)
    return WhereReport(text, rows, tuple(sorted(unordered)))


def _resolve(store: Store, query: str) -> tuple[set[str], set[str], str | None]:
    """(finding ids answering to `query`, every alias known for it, a summary) from findings and advisories."""
    vuln_ids = store.findings.vulnerability_ids(query)
    advisories = store.advisories.by_id_or_alias(query)
    aliases: set[str] = set()
    for advisory in advisories:
        aliases |= {advisory.id, *advisory.aliases}
    for alias in aliases:
        vuln_ids |= store.findings.vulnerability_ids(alias)
    for found in store.findings.aliases_of(vuln_ids).values():
        aliases |= set(found)
    summary = next((advisory.summary for advisory in advisories if advisory.summary), None)
    return vuln_ids, aliases, summary


def _triage_lookup(
    store: Store, decisions: list[TriageDecision], ids: set[str], digests: Iterable[str], moment: datetime
) -> Callable[[ComponentHit], TriageDecision | None]:
    """The decision that applies to a component of these findings (see inventory/triage.py)."""
    if not decisions:
        return lambda _component: None
    places = store.impact.places(digests)
    today = moment.date()

    def decide(component: ComponentHit) -> TriageDecision | None:
        found = places.get(component.digest, [])
        return applicable_triage(decisions, ids, component.digest, found, component.package, today)

    return decide
