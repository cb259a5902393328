"""The match view: the part of an advisory that matching reads, pre-extracted per lookup key at write time.

A scan looks up tens of thousands of candidate advisories; decompressing and re-validating each whole OSV record
on every scan cost most of the match time. So when a record is written, each of its index keys also gets a compact
JSON list holding only what `vuln.match` and `vuln.severity` read: the id, aliases, summary, severities, the
database's rating, and the affected entries filed under that key (ecosystem, name, purl, ranges, versions, their
severities and Debian's `urgency`). Decoding it builds an `Advisory` that matches exactly like the whole record
would; what matching never reads (details, references, related ids, other keys' entries) is left out, and the
full record stays in `advisories.raw` for `lookup` and `by_id_or_alias`.

The layout is positional (lists, not objects) because it is decoded once per candidate per scan.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from regwarden.model.advisory import Advisory, AffectedPackage, AffectedRange, RangeEvent, SeverityScore
from regwarden.vuln.ecosystems import index_key

FORMAT = 1
"""Bumped when the layout changes; a view of another format is ignored and the raw record decoded instead."""

Key = tuple[str, str]
_FIELDS = 10
_ENTRY_FIELDS = 7


def encode_views(advisory: Advisory) -> dict[Key, str]:
    """One view per index key of `advisory`, each holding only the affected entries filed under that key."""
    entries: dict[Key, list[list[Any]]] = {}
    for entry in advisory.affected:
        if entry.name:
            entries.setdefault(index_key(entry.ecosystem, entry.name), []).append(_entry(entry))
    head = [
        FORMAT,
        advisory.id,
        advisory.modified,
        list(advisory.aliases),
        advisory.withdrawn,
        advisory.summary,
        _scores(advisory.severity),
        advisory.database_severity,
        advisory.source,
    ]
    return {key: json.dumps([*head, listed], separators=(",", ":")) for key, listed in entries.items()}


def _entry(entry: AffectedPackage) -> list[Any]:
    ranges = [[r.type, r.repo, [[e.kind, e.version] for e in r.events]] for r in entry.ranges]
    urgency = entry.ecosystem_specific.get("urgency")
    return [entry.ecosystem, entry.name, entry.purl, ranges, list(entry.versions), _scores(entry.severity), urgency]


def _scores(scores: tuple[SeverityScore, ...]) -> list[list[str]]:
    return [[score.type, score.score] for score in scores]


_EMPTY: Mapping[str, object] = MappingProxyType({})


class ViewDecoder:
    """Decodes views into `Advisory` objects and keeps them: a repeated scan finds its candidates decoded.

    Caches are keyed by the view's text, which holds everything the advisory is built from (a record rewritten
    with any change gets a new text), so a hit is always current. Only the entries a caller keeps are built, and
    equal events and scores are shared between advisories. Above `capacity` cached views the caches start
    over, bounding the memory they hold.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._ecosystems: dict[str, tuple[str, ...]] = {}
        """The ecosystem of each entry of a view: enough to pick the entries to keep without parsing again."""
        self._built: dict[tuple[str, tuple[int, ...]], Advisory] = {}
        """By view text and the positions of the entries kept."""
        self._events: dict[tuple[str, str], RangeEvent] = {}
        self._scores: dict[tuple[str, str], SeverityScore] = {}

    def decode(self, text: str, keep: Callable[[str], bool] | None = None) -> Advisory | None:
        """The advisory of one view, or None when the view is unreadable or of another format (the caller then
        decodes the raw record). `keep(ecosystem)` False leaves an entry out."""
        view = None
        ecosystems = self._ecosystems.get(text)
        if ecosystems is None:
            view = _parse(text)
            if view is None:
                return None
            if len(self._ecosystems) >= self._capacity:
                self.clear()
            ecosystems = self._ecosystems[text] = tuple(entry[0] for entry in view[-1])
        kept = tuple(i for i, ecosystem in enumerate(ecosystems) if keep is None or keep(ecosystem))
        advisory = self._built.get((text, kept))
        if advisory is None:
            view = view or _parse(text)
            if view is None:
                return None
            try:
                advisory = self._advisory(view, [view[-1][i] for i in kept])
            except (TypeError, ValueError):
                return None  # a damaged view: the raw record is still there and still decodes
            self._built[(text, kept)] = advisory
        return advisory

    def clear(self) -> None:
        self._ecosystems.clear()
        self._built.clear()
        self._events.clear()
        self._scores.clear()

    def _advisory(self, view: list[Any], entries: list[list[Any]]) -> Advisory:
        _, record_id, modified, aliases, withdrawn, summary, severity, database_severity, source, _ = view
        return Advisory(
            id=record_id,
            modified=modified,
            aliases=tuple(aliases),
            withdrawn=withdrawn,
            summary=summary,
            severity=self._severities(severity),
            affected=tuple(self._affected(entry) for entry in entries),
            database_severity=database_severity,
            source=source,
        )

    def _affected(self, entry: list[Any]) -> AffectedPackage:
        ecosystem, name, purl, ranges, versions, severity, urgency = entry
        return AffectedPackage(
            ecosystem=ecosystem,
            name=name,
            purl=purl,
            ranges=tuple(AffectedRange(kind, self._event_tuple(events), repo) for kind, repo, events in ranges),
            versions=tuple(versions),
            severity=self._severities(severity) if severity else (),
            ecosystem_specific=_EMPTY if urgency is None else {"urgency": urgency},
            database_specific=_EMPTY,
        )

    def _event_tuple(self, events: list[list[str]]) -> tuple[RangeEvent, ...]:
        shared = self._events
        result = []
        for kind, version in events:
            key = (kind, version)
            event = shared.get(key)
            if event is None:
                event = shared[key] = RangeEvent(kind, version)
            result.append(event)
        return tuple(result)

    def _severities(self, scores: list[list[str]]) -> tuple[SeverityScore, ...]:
        result = []
        for kind, value in scores:
            key = (kind, value)
            score = self._scores.get(key)
            if score is None:
                score = self._scores[key] = SeverityScore(kind, value)
            result.append(score)
        return tuple(result)


def _parse(text: str) -> list[Any] | None:
    """The view's JSON when it has this format's shape; None for anything else (then `raw` answers)."""
    try:
        view = json.loads(text)
    except ValueError:
        return None
    if not isinstance(view, list) or len(view) != _FIELDS or view[0] != FORMAT or not isinstance(view[-1], list):
        return None
    if not all(isinstance(entry, list) and len(entry) == _ENTRY_FIELDS for entry in view[-1]):
        return None
    return view
