"""`regwarden history REPO[:TAG]`: the builds of a repository, or of one of its tags, in order, with what changed.

Order of steps: find the repository (its exact name; `--registry` when several registries hold it, or a
`registry/` prefix) → the digests (for a tag: its tag history, oldest first; for the repository: every digest it
held, by the image's `created`, else by when it was first seen) → each digest's catalog entry (an index digest
through the platform manifest catalogued from it) → each build's SBOM, rebuilt from the store, and its open
findings with the triage that covers them → the steps (inventory/build_history.py).

Nothing is re-read from a registry and nothing is re-matched: history is a query over facts already stored. A
digest that could not be catalogued stays in the sequence, marked so; an unknown repository or tag is a
NotFoundError (exit 7), a repository held by several registries without `--registry` a BadInputError (exit 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.build_history import BuildSnapshot, history_steps
from regwarden.inventory.triage import applicable_triage
from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.history import CATALOGUED, NOT_CATALOGUED, Build, BuildStep, FindingDelta, HistoryReport
from regwarden.model.inventory import ImageName, TriageDecision

if TYPE_CHECKING:
    from regwarden.store import Store
    from regwarden.store.history_queries import HeldDigest, ImageFacts, OpenFinding, RepositoryRef


def history(store: Store, target: str, registry: str | None = None, now: datetime | None = None) -> HistoryReport:
    name, tag = parse_history_target(target)
    repository = find_repository(store, name, registry)
    if tag is None:
        held = store.history.repository_digests(repository.id)
    else:
        held = store.history.tag_digests(repository.id, tag)
        if not held:
            raise NotFoundError(f"tag {tag!r} of {repository.registry}/{repository.name} was never seen by a sync")
    builds = _builds(store, held)
    if tag is None:
        builds.sort(key=_creation_order)
    today = (now or datetime.now(UTC)).date()
    snapshots = _snapshots(store, builds, today)
    return HistoryReport(repository.registry, repository.name, tag, history_steps(snapshots))


def build_step(
    store: Store, repository: RepositoryRef, tag: str, digest: str, now: datetime | None = None
) -> BuildStep:
    """The step of one build in a tag's history: `digest` compared with the build the tag held just before it
    (only those two builds are read). NotFoundError when the tag never pointed at `digest`."""
    held = store.history.tag_digests(repository.id, tag)
    builds = _builds(store, held)
    position = next((i for i, b in enumerate(builds) if digest in (b.digest, b.image_digest)), None)
    if position is None:
        raise NotFoundError(f"tag {tag!r} of {repository.registry}/{repository.name} never pointed at {digest}")
    earlier = [
        b for b in builds[:position] if b.status == CATALOGUED and b.image_digest != builds[position].image_digest
    ]
    pair = [*earlier[-1:], builds[position]]
    return history_steps(_snapshots(store, pair, (now or datetime.now(UTC)).date()))[-1]


def parse_history_target(target: str) -> tuple[str, str | None]:
    """`shop/web:1.4` → (`shop/web`, `1.4`); a `:` inside a registry host (`localhost:5000/web`) is not a tag."""
    text = target.strip()
    if not text or "@" in text:
        raise BadInputError(f"history takes REPOSITORY or REPOSITORY:TAG, not {target!r}")
    name, colon, tail = text.rpartition(":")
    if colon and name and tail and "/" not in tail:
        return name, tail
    return text, None


def find_repository(store: Store, name: str, registry: str | None) -> RepositoryRef:
    """The repository called `name` (in `registry` when given). `registry/name` works too."""
    candidates = store.history.repositories_named(name)
    if not candidates and "/" in name:
        host, rest = name.split("/", 1)
        candidates = [found for found in store.history.repositories_named(rest) if found.registry == host]
    if registry is not None:
        chosen = [found for found in candidates if found.registry == registry]
        if not chosen:
            where = ", ".join(found.registry for found in candidates) or "no registry"
            raise NotFoundError(f"registry {registry} holds no repository {name!r} (it is in: {where})")
        candidates = chosen
    if not candidates:
        raise NotFoundError(f"no repository named {name!r} in the inventory: sync its registry first")
    if len(candidates) > 1:
        hosts = ", ".join(found.registry for found in candidates)
        raise BadInputError(f"{name!r} is a repository of several registries ({hosts}): pick one with --registry")
    return candidates[0]


def _builds(store: Store, held: Sequence[HeldDigest]) -> list[Build]:
    digests = {item.digest for item in held}
    children = store.history.children(digests)
    facts = store.history.image_facts(digests | {child for found in children.values() for child in found})
    return [_build(item, _catalogued(item.digest, children, facts)) for item in held]


def _catalogued(digest: str, children: dict[str, list[str]], facts: dict[str, ImageFacts]) -> ImageFacts | None:
    """The catalog entry of `digest`, or of the platform manifest catalogued from it (a catalogued one first)."""
    if digest in facts:
        return facts[digest]
    entries = [facts[child] for child in children.get(digest, []) if child in facts]
    return next((entry for entry in entries if entry.status == CATALOGUED), entries[0] if entries else None)


def _build(item: HeldDigest, facts: ImageFacts | None) -> Build:
    if facts is None:
        return Build(item.digest, NOT_CATALOGUED, item.seen_at, item.until)
    return Build(
        item.digest,
        facts.status,
        item.seen_at,
        item.until,
        image_digest=facts.digest,
        platform=facts.platform,
        created=facts.created,
        error=facts.error,
        packages=facts.packages,
    )


def _creation_order(build: Build) -> tuple[datetime, datetime, str]:
    return (_parse_created(build.created) or build.seen_at, build.seen_at, build.digest)


def _parse_created(created: str | None) -> datetime | None:
    if not created:
        return None
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _snapshots(store: Store, builds: Sequence[Build], today: date) -> list[BuildSnapshot]:
    readable = sorted({b.image_digest for b in builds if b.image_digest and b.status == CATALOGUED})
    findings = {digest: store.history.open_findings(digest) for digest in readable}
    ids = {identifier for found in findings.values() for finding in found for identifier in finding.ids}
    decisions = store.triage.decisions(ids) if ids else []
    places = store.impact.places(readable) if decisions else {}
    sboms = {digest: store.sboms.sbom(digest) for digest in readable}  # a tag often returns to a build
    snapshots = []
    for build in builds:
        digest = build.image_digest if build.status == CATALOGUED else None
        if digest is None:
            snapshots.append(BuildSnapshot(build, None))
            continue
        deltas = tuple(_delta(f, decisions, digest, places.get(digest, []), today) for f in findings[digest])
        counted = sum(1 for delta in deltas if delta.triage is None)
        stamped = replace(build, open_findings=counted)
        snapshots.append(BuildSnapshot(stamped, sboms[digest], deltas))
    return snapshots


def _delta(
    finding: OpenFinding, decisions: Sequence[TriageDecision], digest: str, places: list[ImageName], today: date
) -> FindingDelta:
    decision = applicable_triage(decisions, finding.ids, digest, places, finding.package, today)
    aliases = tuple(identifier for identifier in finding.ids if identifier != finding.vuln_id)
    return FindingDelta(
        finding.vuln_id,
        aliases,
        finding.package_type,
        finding.package,
        finding.version,
        finding.severity,
        finding.fixed,
        decision,
    )
