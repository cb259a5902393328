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
from collections.abc import Callable
from typing import Any

from regwarden.model.advisory import Advisory, AffectedPackage, AffectedRange, RangeEvent, SeverityScore
from regwarden.vuln.ecosystems import index_key

FORMAT = 1
"""Bumped when the layout changes; a view of another format is ignored and the raw record decoded instead."""

Key = tuple[str, str]


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


class ViewDecoder:
    """Decodes views into `Advisory` objects, sharing equal events, ranges and scores between them.

    One decoder serves one batch of lookups: advisories repeat the same few CVSS vectors and fixed versions, and
    sharing the (immutable) objects saves building them again.
    """

    def __init__(self) -> None:
        self._events: dict[tuple[str, str], RangeEvent] = {}
        self._scores: dict[tuple[str, str], SeverityScore] = {}

    def decode(self, text: str, keep: Callable[[str], bool] | None = None) -> Advisory | None:
        """The advisory of one view, or None when the view is of another format (the caller decodes raw).

        `keep(ecosystem)` False leaves an entry out before any object is built for it.
        """
        view = json.loads(text)
        if not isinstance(view, list) or not view or view[0] != FORMAT:
            return None
        try:
            return self._advisory(view, keep)
        except (TypeError, ValueError):
            return None  # a damaged view: the raw record is still there and still decodes

    def _advisory(self, view: list[Any], keep: Callable[[str], bool] | None) -> Advisory:
        _, record_id, modified, aliases, withdrawn, summary, severity, database_severity, source, entries = view
        return Advisory(
            id=record_id,
            modified=modified,
            aliases=tuple(aliases),
            withdrawn=withdrawn,
            summary=summary,
            severity=self._severities(severity),
            affected=tuple(self._affected(entry) for entry in entries if keep is None or keep(entry[0])),
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
            severity=self._severities(severity),
            ecosystem_specific={} if urgency is None else {"urgency": urgency},
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
