"""`regwarden triage ID …` and `triage list`: record a person's word on a vulnerability, and show every decision.

Recording, in order: the id is resolved exactly as `affected` resolves it (a finding's id, an alias, or an advisory
id; nothing answering is a NotFoundError, exit 7) → the target is resolved (an image by digest or by a reference
the inventory knows, an index digest to the platform manifests catalogued from it; a repository the inventory
knows; or every image) → a named package must be one the vulnerability was found in, when it was found at all →
one append-only decision per finding id and target, with who and when → the exposures of the vulnerability are
recomputed, so production exposures the decision covers close and their `workload.resolved` events are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.drift_rules import same_host
from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.inventory import AffectedReport, TriageDecision, TriageScope, TriageState
from regwarden.model.triage_reports import ACTIVE, EXPIRED, SUPERSEDED, TriageEntry, TriageListing, TriageOutcome
from regwarden.oci.reference import parse_reference, validate_digest

if TYPE_CHECKING:
    from regwarden.store import Store


@dataclass(frozen=True)
class TriageRequest:
    identifier: str
    scope: TriageScope
    target: str
    """IMAGE (a digest or a reference) for the image scope, REGISTRY/REPOSITORY for the repository scope, else ''."""
    state: TriageState
    reason: str
    author: str
    package: str = ""
    expires: date | None = None


def record_triage(
    store: Store, request: TriageRequest, endpoints: Sequence[str] = (), now: datetime | None = None
) -> TriageOutcome:
    from regwarden.service.exposure import refresh_exposures
    from regwarden.service.impact import affected
    from regwarden.store.exposures import ExposureScope

    moment = now or datetime.now(UTC)
    _check_text(request, moment.date())
    report = affected(store, request.identifier, moment)
    _check_package(request.package, report)
    every_id = {report.vulnerability_id, *report.aliases}
    finding_ids = sorted({found for i in every_id for found in store.findings.vulnerability_ids(i)})
    decisions = tuple(
        TriageDecision(
            vuln_id, request.scope, target, request.state, request.reason.strip(), request.author.strip(), moment,
            request.package.strip(), request.expires,
        )
        for vuln_id in finding_ids or [report.vulnerability_id]
        for target in resolve_targets(store, request.scope, request.target)
    )  # fmt: skip
    for decision in decisions:
        store.triage.add(decision)
    changes = refresh_exposures(store, ExposureScope(vuln_ids=frozenset(every_id)), endpoints, moment)
    covered = [row for row in affected(store, request.identifier, moment).triaged if row.triage in decisions]
    images = {row.component.digest for row in covered}
    return TriageOutcome(decisions, len(covered), len(images), len(changes.closed), len(changes.opened), changes.events)


def list_triage(store: Store, identifier: str | None = None, now: datetime | None = None) -> TriageListing:
    """Every decision (for the vulnerability `identifier` names, when given), each marked active, expired or
    superseded by a newer decision for the same vulnerability, scope, target and package."""
    today = (now or datetime.now(UTC)).date()
    decisions = store.triage.decisions(_answering_ids(store, identifier) if identifier else None)
    latest: dict[tuple[str, str, str, str], TriageDecision] = {}
    for decision in decisions:
        if not _expired(decision, today):
            latest[_key(decision)] = decision  # oldest first: the last one written wins, as in inventory/triage.py
    entries = tuple(TriageEntry(d, _status(d, latest.get(_key(d)), today)) for d in decisions)
    return TriageListing(identifier, entries)


def resolve_targets(store: Store, scope: TriageScope, target: str) -> list[str]:
    """What the decision's `target` column holds: catalogued image digests, `registry/repository`, or ''."""
    if scope is TriageScope.ALL:
        return [""]
    if scope is TriageScope.REPOSITORY:
        return [_repository(store, target)]
    return _images(store, _digest_of(store, target.strip()))


def _check_text(request: TriageRequest, today: date) -> None:
    if not request.reason.strip():
        raise BadInputError("--reason must say why: it is what the next person reads")
    if not request.author.strip():
        raise BadInputError("--author is empty (and neither REGWARDEN_USER nor the OS user name gave one)")
    if request.expires is not None and request.expires < today:
        raise BadInputError(f"--expires {request.expires.isoformat()} is in the past: the decision would never apply")


def _check_package(package: str, report: AffectedReport) -> None:
    """A package the vulnerability was never found in would make a decision that covers nothing: say so."""
    found = {row.component.package for row in report.rows}
    if package.strip() and found and package.strip().lower() not in {name.lower() for name in found}:
        names = ", ".join(sorted(found))
        raise BadInputError(f"{report.vulnerability_id} is found in {names}, not in a package named {package!r}")


def _repository(store: Store, target: str) -> str:
    host, slash, name = target.strip().partition("/")
    if not slash or not name:
        raise BadInputError(f"--repo takes REGISTRY/REPOSITORY (e.g. myreg.azurecr.io/shop/web), not {target!r}")
    if not any(found.registry == host for found in store.history.repositories_named(name)):
        raise NotFoundError(f"repository {target} is not in the inventory: sync its registry first")
    return f"{host}/{name}"


def _digest_of(store: Store, text: str) -> str:
    """A digest as given, or the digest a reference names (its @digest, else its tag's current digest)."""
    if text.startswith("sha256:"):
        return validate_digest(text)
    reference = parse_reference(text)
    if reference.digest:
        return reference.digest
    pointers = store.drift.tag_pointers({reference.repository}, {reference.identifier})
    current = [p.digest for p in pointers if same_host(p.registry, reference.registry) and p.moved_at is None]
    if not current:
        raise NotFoundError(f"{reference} is not a tag the inventory knows: pass the image digest, or sync first")
    return current[0]


def _images(store: Store, digest: str) -> list[str]:
    """The catalogued images a digest stands for: itself, or the platform manifests catalogued from an index."""
    facts = store.history.image_facts([digest])
    if digest in facts and facts[digest].status == "catalogued":
        return [digest]
    children = store.history.children([digest]).get(digest, [])
    catalogued = [child for child, found in store.history.image_facts(children).items() if found.status == "catalogued"]
    if not catalogued:
        raise NotFoundError(f"image {digest} is not catalogued: `regwarden inventory add` it first")
    return sorted(catalogued)


def _answering_ids(store: Store, identifier: str) -> set[str]:
    from regwarden.service.impact import affected

    try:
        report = affected(store, identifier)
    except NotFoundError:
        return {identifier}
    return {identifier, report.vulnerability_id, *report.aliases}


def _key(decision: TriageDecision) -> tuple[str, str, str, str]:
    return (decision.vuln_id, decision.scope.value, decision.target, decision.package.lower())


def _expired(decision: TriageDecision, today: date) -> bool:
    return decision.expires is not None and decision.expires < today


def _status(decision: TriageDecision, latest: TriageDecision | None, today: date) -> str:
    if _expired(decision, today):
        return EXPIRED
    return ACTIVE if decision is latest else SUPERSEDED
