"""`regwarden drift`: how what runs has drifted from the registries and from current advisory data.

Order of steps: the running workloads (as of each cluster's last sync; none synced is a NoDataError, exit 8,
because "no drift" must never mean "nothing looked at") → the index/platform-manifest links of their digests →
four lists, each about running digests only:

1. unknown: no repository of a synced registry holds the digest (or any index or platform manifest of it) now;
   one that a synced registry deleted says so. With no registry synced this list is not evaluated, and says so.
2. moved: the workload's image reference names a tag whose current digest (tag history) is another image.
3. fixable: open findings of the chosen severities (default critical, high) with a fixed version; triaged ones
   are listed apart and do not count.
4. stale: the image failed to catalog, was never catalogued, was catalogued while the advisory database was empty,
   or its findings rest on advisory data older than `max_db_age_days` (inventory/drift_rules.effective_db_date).

Workloads whose digest the cluster did not report cannot be judged: they are listed as not evaluated, with why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden.inventory.drift_rules import DigestLinks, effective_db_date, same_host
from regwarden.inventory.triage import applicable_triage
from regwarden.model.drift import DriftReport, FixableFinding, MovedTag, NotEvaluated, StaleImage, UnknownDigest
from regwarden.model.errors import NoDataError, RegwardenError
from regwarden.model.finding import Severity
from regwarden.model.inventory import RunningWorkload
from regwarden.oci.reference import Reference, parse_reference

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.drift_queries import RunningRow, ScanState

DEFAULT_MAX_DB_AGE_DAYS = 7.0
DEFAULT_SEVERITIES = frozenset({Severity.CRITICAL, Severity.HIGH})


@dataclass(frozen=True)
class DriftOptions:
    max_db_age_days: float = DEFAULT_MAX_DB_AGE_DAYS
    severities: frozenset[Severity] = field(default_factory=lambda: DEFAULT_SEVERITIES)


@dataclass(frozen=True)
class _Running:
    """The running rows that report a digest, grouped by it, and how their digests relate."""

    rows: tuple[RunningRow, ...]
    by_digest: dict[str, tuple[RunningWorkload, ...]]
    links: DigestLinks
    states: dict[str, ScanState]

    def images_of(self, digest: str) -> list[str]:
        """The catalog rows a running digest stands for: itself, else the platform manifests catalogued from it."""
        if digest in self.states:
            return [digest]
        return sorted(child for child in self.links.children.get(digest, set()) if child in self.states)


def drift(store: Store, options: DriftOptions, now: datetime | None = None) -> DriftReport:
    moment = now or datetime.now(UTC)
    if not store.workloads.clusters():
        raise NoDataError("no cluster has been synced, so nothing is known to run: run `regwarden sync k8s` first")
    rows = store.drift.running()
    running = _running(store, rows)
    unknown, not_evaluated = _unknown(store, running)
    not_evaluated += [_undetermined(row) for row in rows if row.digest is None]
    return DriftReport(
        generated_at=moment,
        max_db_age_days=options.max_db_age_days,
        severities=tuple(s.value for s in sorted(options.severities, key=lambda s: -s.rank)),
        unknown=tuple(unknown),
        moved=tuple(_moved(store, running)),
        fixable=tuple(_fixable(store, running, options.severities, moment.date())),
        stale=tuple(_stale(store, running, options.max_db_age_days, moment)),
        not_evaluated=tuple(not_evaluated),
        warnings=tuple(_warnings(store, options.max_db_age_days, moment)),
    )


def _running(store: Store, rows: Sequence[RunningRow]) -> _Running:
    with_digest = tuple(row for row in rows if row.digest is not None)
    by_digest: dict[str, list[RunningWorkload]] = {}
    for row in with_digest:
        by_digest.setdefault(str(row.digest), []).append(row.workload)
    links = DigestLinks(store.drift.links(by_digest))
    related = {d for digest in by_digest for d in links.related(digest)}
    grouped = {digest: tuple(found) for digest, found in sorted(by_digest.items())}
    return _Running(with_digest, grouped, links, store.drift.scan_states(related))


def _unknown(store: Store, running: _Running) -> tuple[list[UnknownDigest], list[NotEvaluated]]:
    synced = store.drift.synced_registries()
    if not synced:
        reason = "no registry has been synced: run `regwarden sync registry` to know which digests they hold"
        return [], [NotEvaluated("running digests unknown to the registries", reason)]
    held = store.drift.held_at({d for digest in running.by_digest for d in running.links.related(digest)})
    found = []
    for row in running.rows:
        places = [
            place
            for digest in sorted(running.links.related(str(row.digest)))
            for place in held.get(digest, [])
            if any(same_host(place.registry, host) for host in synced)
        ]
        if any(place.gone_at is None for place in places):
            continue
        deleted = [f"{p.registry}/{p.repository} at {p.gone_at:%Y-%m-%d %H:%M}" for p in places if p.gone_at]
        reason = f"deleted from {', '.join(deleted)}" if deleted else _why_unknown(row.workload.image, synced)
        found.append(UnknownDigest(row.workload, reason))
    return found, []


def _why_unknown(image: str, synced: set[str]) -> str:
    reference = _reference(image)
    if reference is not None and not any(same_host(reference.registry, host) for host in synced):
        return f"its registry {reference.registry} is not synced"
    return "no synced registry holds this digest (built outside the pipeline, or pushed since the last sync)"


def _moved(store: Store, running: _Running) -> list[MovedTag]:
    tagged = [(row, ref) for row in running.rows if (ref := _reference(row.workload.image)) and ref.tag]
    pointers = store.drift.tag_pointers({ref.repository for _, ref in tagged}, {str(ref.tag) for _, ref in tagged})
    found = []
    for row, ref in tagged:
        history = [
            p
            for p in pointers
            if (p.repository, p.tag) == (ref.repository, ref.tag) and same_host(p.registry, ref.registry)
        ]
        related = running.links.related(str(row.digest))
        current = next((p.digest for p in history if p.moved_at is None), None)
        if not history or current in related:
            continue  # a tag no sync has seen says nothing here; whether its digest is known is list 1's question
        left = [p.moved_at for p in history if p.digest in related and p.moved_at is not None]
        where = f"{history[0].registry}/{ref.repository}"
        found.append(MovedTag(row.workload, where, str(ref.tag), current, max(left) if left else None))
    return found


def _fixable(store: Store, running: _Running, severities: frozenset[Severity], today: date) -> list[FixableFinding]:
    workloads: dict[str, list[RunningWorkload]] = {}
    for digest, group in running.by_digest.items():
        for image in running.images_of(digest):
            workloads.setdefault(image, []).extend(group)
    found = store.drift.fixable_findings(workloads, (s.value for s in severities))
    ids = {identifier for _, finding in found for identifier in finding.ids}
    decisions = store.triage.decisions(ids) if ids else []
    places = store.impact.places(workloads) if decisions else {}
    names = store.impact.image_names({image for image, _ in found})
    result = []
    for image, finding in found:
        decision = applicable_triage(decisions, finding.ids, image, places.get(image, []), finding.package, today)
        name = names[image].reference(image) if image in names else workloads[image][0].image
        aliases = tuple(i for i in finding.ids if i != finding.vuln_id)
        result.append(
            FixableFinding(
                image, name, tuple(workloads[image]), finding.vuln_id, aliases, finding.package, finding.version,
                finding.severity, finding.fixed, decision,
            )
        )  # fmt: skip
    return sorted(result, key=lambda f: (-Severity.parse(f.severity).rank, f.image, f.vuln_id, f.package))


def _stale(store: Store, running: _Running, max_age_days: float, moment: datetime) -> list[StaleImage]:
    from regwarden.store.state import MATCHED_THROUGH

    matched = store.state.get(MATCHED_THROUGH)
    matched_through = datetime.fromisoformat(matched) if matched else None
    oldest_allowed = moment - timedelta(days=max_age_days)
    found = []
    for digest, group in running.by_digest.items():
        states = [running.states[image] for image in running.images_of(digest)]
        state = next((s for s in states if s.status == "catalogued"), states[0] if states else None)
        if state is None:
            found.append(StaleImage(digest, group, "not catalogued", "no catalog entry: never scanned"))
        elif state.status != "catalogued":
            found.append(StaleImage(digest, group, "failed", f"could not be catalogued: {state.error}"))
        else:
            when = effective_db_date(state.db_updated_at, state.catalogued_at, matched_through)
            if when is None:
                detail = "catalogued while the advisory database was empty: never matched"
                found.append(StaleImage(digest, group, "never matched", detail))
            elif when < oldest_allowed:
                detail = f"matched against advisory data of {when:%Y-%m-%d}, {(moment - when).days} days old"
                found.append(StaleImage(digest, group, "stale", detail, when))
    return found


def _warnings(store: Store, max_age_days: float, moment: datetime) -> list[str]:
    from regwarden.store import database_age

    age = database_age(store, moment)
    if age is None:
        return ["no advisory database: every finding is missing; run `regwarden db update`"]
    if age > timedelta(days=max_age_days):
        return [f"the advisory database is {age.days} days old (over {max_age_days:g}): run `regwarden db update`"]
    return []


def _undetermined(row: RunningRow) -> NotEvaluated:
    w = row.workload
    subject = f"{w.cluster} {w.namespace}/{w.kind}/{w.name} container {w.container} ({w.image})"
    return NotEvaluated(subject, f"the cluster reported no digest: {row.digest_reason or 'no reason given'}")


def _reference(image: str) -> Reference | None:
    try:
        return parse_reference(image)
    except RegwardenError:
        return None
