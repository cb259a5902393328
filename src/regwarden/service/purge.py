"""`purge`: plan what to delete from a registry (acr purge's flags, or a retention policy), and apply it on request.

Order: list the repositories the filters or the policy name; read each (ACR: `/acr/v1` listings; elsewhere tags, with
times fetched only for manifests the rules look at); plan once without protections to learn the candidates; read
their referrer links; then the protections (what runs in the synced clusters, what the logs show pulled) and the
final plan. With `apply`, purge_apply.py carries it out, journaled. A registry that cannot be listed raises (exit
4/5); a manifest whose links cannot be read is kept and named; a check that could not be made (no cluster synced, no
times, logs that do not reach back far enough) is a note in the plan, never silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.durations import format_duration
from regwarden.lifecycle.filters import parse_filter, select_repositories
from regwarden.lifecycle.plan import plan_purge, plan_retention
from regwarden.lifecycle.policy import RetentionPolicy, RetentionRule
from regwarden.model.errors import BadInputError
from regwarden.model.purge import ActionKind, ApplyReport, Protections, PurgeCriteria, PurgePlan, RepositoryContents
from regwarden.service.images import ImageOptions
from regwarden.service.purge_listing import RegistryReader
from regwarden.service.purge_protections import recent_pulls, running_digests
from regwarden.service.purge_referrers import link_referrers

if TYPE_CHECKING:
    from regwarden.lifecycle.apply import ApplyProgress
    from regwarden.oci.client import RegistryClient
    from regwarden.service.purge_apply import ApplyOptions
    from regwarden.store import Store


@dataclass(frozen=True)
class PurgeRequest:
    criteria: PurgeCriteria | None = None
    """acr purge's flags; or None with a policy."""
    policy: RetentionPolicy | None = None
    include_locked: bool = False
    """For a policy (the criteria carry their own)."""
    pulled_within: timedelta | None = None
    logs: tuple[Path, ...] = ()
    concurrency: int = 8
    acr: bool | None = None
    """Use ACR's /acr/v1 API (None: when the host is an ACR)."""
    image: ImageOptions = field(default_factory=ImageOptions)


Planner = Callable[[Sequence[RepositoryContents], Protections, Sequence[str], Mapping[str, datetime]], PurgePlan]
Chooser = Callable[[list[str]], list[tuple[str, Callable[[str], bool]]]]


@dataclass
class PlannedPurge:
    plan: PurgePlan
    reader: RegistryReader
    protections: Protections


def purge(
    store: Store,
    registry: str,
    request: PurgeRequest,
    *,
    apply: ApplyOptions | None = None,
    progress: ApplyProgress | None = None,
    client: RegistryClient | None = None,
    now: datetime | None = None,
    reading: Callable[[str], None] | None = None,
) -> PurgePlan | ApplyReport:
    """The plan (a dry run), or with `apply` the report of carrying it out. `reading(repository)` hears each
    repository as it is read (a progress line)."""
    from regwarden.service.purge_apply import apply_plan

    moment = now or datetime.now(UTC)
    with _connected(registry, request, client) as connected:
        planned = plan_registry(store, registry, request, connected, moment, reading=reading)
        if apply is None:
            return planned.plan
        return apply_plan(store, planned, apply, progress=progress)


def plan_registry(
    store: Store,
    registry: str,
    request: PurgeRequest,
    client: RegistryClient,
    now: datetime,
    *,
    reading: Callable[[str], None] | None = None,
) -> PlannedPurge:
    from regwarden.oci.acr import acr_suffix

    is_acr = acr_suffix(registry) is not None if request.acr is None else request.acr
    reader = RegistryReader(client, acr=is_acr, workers=request.concurrency)
    chosen, planner = _rules(registry, request, now)
    contents = []
    for name, wants in chosen(reader.repositories()):
        if reading is not None:
            reading(name)
        contents.append(reader.contents(name, wants))
    preliminary = planner(contents, Protections(), (), {})
    candidates: dict[str, set[str]] = {}
    for action in preliminary.deletions:
        candidates.setdefault(action.repository, set()).add(action.digest)
    contents, unreadable = link_referrers(reader, contents, candidates)
    running, notes = running_digests(store, [m.digest for item in contents for m in item.manifests])
    pulls, pull_notes = _pulls(request, registry, now, contents)
    window = request.pulled_within
    pulled = {d: t for d, t in pulls.items() if window is not None and now - t <= window}
    protections = Protections(running=running, pulled=pulled, unreadable=unreadable)
    notes += [*pull_notes, *reader.notes, *_registry_notes(is_acr, preliminary)]
    return PlannedPurge(planner(contents, protections, notes, pulls), reader, protections)


def _rules(registry: str, request: PurgeRequest, now: datetime) -> tuple[Chooser, Planner]:
    """Which repositories to read (each with which tags need a time), and the planner to run."""
    criteria, policy = request.criteria, request.policy
    if (criteria is None) == (policy is None):
        raise BadInputError("give either --filter (with --ago) or --policy")
    extra = _extra(request)
    if criteria is not None:
        filters = [parse_filter(text) for text in criteria.filters]

        def by_filter(names: list[str]) -> list[tuple[str, Callable[[str], bool]]]:
            return [(chosen.repository, _matcher(chosen.tag_pattern)) for chosen in select_repositories(filters, names)]

        def filter_plan(
            contents: Sequence[RepositoryContents], shield: Protections, notes: Sequence[str], _: object
        ) -> PurgePlan:
            return plan_purge(registry, contents, criteria, shield, now, notes=notes, extra=extra)

        return by_filter, filter_plan
    assert policy is not None

    def by_policy(names: list[str]) -> list[tuple[str, Callable[[str], bool]]]:
        chosen: list[tuple[str, Callable[[str], bool]]] = []
        for name in sorted(names):
            rules = [rule for rule in policy.rules if rule.applies_to(name)]
            if rules:
                chosen.append((name, _looked_at(rules)))
        return chosen

    def policy_plan(
        contents: Sequence[RepositoryContents], shield: Protections, notes: Sequence[str], pulls: Mapping[str, datetime]
    ) -> PurgePlan:
        include = request.include_locked
        return plan_retention(
            registry, contents, policy, shield, now, pulls=pulls, include_locked=include, notes=notes, extra=extra
        )

    return by_policy, policy_plan


def _matcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda tag: pattern.search(tag) is not None


def _looked_at(rules: list[RetentionRule]) -> Callable[[str], bool]:
    return lambda tag: any(rule.looks_at_tag(tag) for rule in rules)


def _pulls(
    request: PurgeRequest, registry: str, now: datetime, contents: Sequence[RepositoryContents]
) -> tuple[dict[str, datetime], list[str]]:
    """Every pull the logs show within the longest window anything needs (--pulled-within, policy rules)."""
    windows = [w for w in (request.pulled_within, _policy_window(request.policy)) if w is not None]
    if not windows:
        if request.logs:
            raise BadInputError("--logs is read for --pulled-within (or a policy's pulled_within rule); give one")
        return {}, []
    return recent_pulls(request.logs, registry, max(windows), now, contents)


def _policy_window(policy: RetentionPolicy | None) -> timedelta | None:
    windows = [r.retain.within for r in policy.rules if r.retain.kind == "pulled_within"] if policy else []
    return max(windows) if windows else None


def _extra(request: PurgeRequest) -> tuple[tuple[str, str], ...]:
    within = request.pulled_within
    shown = [("pulled-within", format_duration(within))] if within is not None else []
    return (*shown, *(("logs", str(path)) for path in request.logs))


def _registry_notes(is_acr: bool, preliminary: PurgePlan) -> list[str]:
    if is_acr:
        return []
    notes = [
        "this registry records no push or update times: each image's own creation time (its "
        "org.opencontainers.image.created annotation, else its config's `created`) stands in; it lists no "
        "untagged manifests, so those are not seen"
    ]
    if any(action.kind is ActionKind.UNTAG for action in preliminary.actions):
        notes.append(
            "removing a tag while keeping its manifest needs the registry's tag delete, which some "
            "registries (distribution 2.x) refuse: such tags are reported as failed, nothing else is touched"
        )
    return notes


@contextmanager
def _connected(registry: str, request: PurgeRequest, client: RegistryClient | None) -> Iterator[RegistryClient]:
    if client is not None:
        yield client
        return
    from regwarden.oci.registry_source import connect

    image = request.image
    opened = connect(
        registry, username=image.username, password=image.password, insecure=image.insecure, timeout=image.timeout
    )
    try:
        yield opened
    finally:
        opened.close()
