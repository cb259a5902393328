"""Whether one installed version falls inside one OSV `affected[]` entry: its `versions` list and its ranges.

Range evaluation follows the OSV schema's algorithm: events are sorted by version (`introduced: "0"` first);
walking them in order, `introduced` (v >= e) sets affected, `fixed` (v >= e) clears it, `last_affected` (v > e)
clears it; `limit` events cap the whole range (v must be below one of them; `*` is unbounded). GIT ranges name
commits, which an installed package does not have: they are skipped, and the entry's `versions` list (which OSV
fills from those commits) still counts.

Nothing is dropped silently: a version that does not parse, or a range in an ecosystem we cannot order, comes back
as a `problem` string for the matcher to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cmp_to_key, lru_cache

from regwarden.model.advisory import AffectedPackage, AffectedRange, RangeEvent
from regwarden.vuln.ecosystems import base_ecosystem
from regwarden.vuln.versions import VersionError, compare, same_version, scheme_for


@dataclass(frozen=True)
class EntryVerdict:
    """What one affected entry says about one installed version."""

    matched_by: str | None
    """`versions` or `range` when the version is affected, else None."""
    detail: str = ""
    fixed: tuple[str, ...] = ()
    """`fixed` events of the matching range above the installed version: the upgrades that leave it."""
    problems: tuple[str, ...] = field(default=())
    """Why part of the entry could not be evaluated (unparsable version, no ordering for the ecosystem)."""


def evaluate_entry(entry: AffectedPackage, installed: str) -> EntryVerdict:
    """The verdict of one affected entry for the installed version; a match from any part of it wins."""
    base = base_ecosystem(entry.ecosystem)
    problems: list[str] = []
    ecosystem_scheme = scheme_for(base)
    for listed in entry.versions:
        if same_version(ecosystem_scheme, installed, listed):
            return EntryVerdict("versions", f"versions list contains {listed}", _fixed_above(entry, base, installed))
    for affected_range in entry.ranges:
        if affected_range.type == "GIT":
            continue
        scheme = scheme_for(base, affected_range.type)
        if scheme is None:
            problems.append(f"{affected_range.type} range in {entry.ecosystem}: no version ordering for {base}")
            continue
        try:
            inside, fixed = _includes(scheme, installed, affected_range.events)
        except VersionError as error:
            # False negative avoided: the advisory is reported as "could not evaluate", never as "not affected".
            problems.append(f"{affected_range.type} range in {entry.ecosystem}: {error}")
            continue
        if inside:
            return EntryVerdict("range", describe(affected_range), fixed)
    if entry.ranges and not entry.versions and all(r.type == "GIT" for r in entry.ranges):
        problems.append(f"{entry.ecosystem}: only GIT (commit) ranges and no versions list")
    return EntryVerdict(None, problems=tuple(problems))


def _fixed_above(entry: AffectedPackage, base: str, installed: str) -> tuple[str, ...]:
    """The fix versions the entry's ranges give for a version its `versions` list names.

    PyPA and GHSA records carry both a list and ECOSYSTEM ranges; the list says "affected", the ranges say what
    fixes it. A range that cannot be ordered adds nothing here: the list already decided the match.
    """
    fixed: list[str] = []
    for affected_range in entry.ranges:
        scheme = scheme_for(base, affected_range.type)
        if scheme is None:
            continue
        try:
            inside, above = _includes(scheme, installed, affected_range.events)
        except VersionError:
            continue
        if inside:
            fixed += [version for version in above if version not in fixed]
    return tuple(fixed)


def describe(affected_range: AffectedRange) -> str:
    """`ECOSYSTEM introduced 0, fixed 1.24.2` — the range as the advisory wrote it, for evidence."""
    events = ", ".join(f"{event.kind} {event.version}" for event in affected_range.events)
    return f"{affected_range.type} {events}"


def _includes(scheme: str, installed: str, events: tuple[RangeEvent, ...]) -> tuple[bool, tuple[str, ...]]:
    limits = [event.version for event in events if event.kind == "limit"]
    if limits and not any(limit == "*" or compare(scheme, installed, limit) < 0 for limit in limits):
        return False, ()
    ordered = sorted_events(scheme, events)
    affected = False
    above = len(ordered)  # index of the first event sorting above the installed version
    for index, event in enumerate(ordered):
        if event.version == "0" and event.kind == "introduced":
            affected = True
            continue
        order = compare(scheme, installed, event.version)
        if order < 0:
            above = index
            break  # Later events sort at or above this one: none can apply to the installed version.
        if event.kind == "introduced":
            affected = True
        elif event.kind == "fixed" or (event.kind == "last_affected" and order > 0):
            affected = False
    if not affected:
        return False, ()
    return True, tuple(event.version for event in ordered[above:] if event.kind == "fixed")


@lru_cache(maxsize=100_000)
def sorted_events(scheme: str, events: tuple[RangeEvent, ...]) -> tuple[RangeEvent, ...]:
    """Events other than `limit`, in version order with `introduced: "0"` first (cached: advisories repeat)."""

    def order(left: RangeEvent, right: RangeEvent) -> int:
        if _is_zero(left) or _is_zero(right):
            return int(_is_zero(right)) - int(_is_zero(left))
        return compare(scheme, left.version, right.version)

    return tuple(sorted((event for event in events if event.kind != "limit"), key=cmp_to_key(order)))


def _is_zero(event: RangeEvent) -> bool:
    return event.kind == "introduced" and event.version == "0"
