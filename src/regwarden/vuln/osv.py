"""OSV JSON records (https://ossf.github.io/osv-schema/) into `Advisory` objects.

Only the fields the matcher, the severity rules and the report need are kept. A record that breaks the schema's
required structure (no `id` or `modified`, an event that is not exactly one of introduced/fixed/last_affected/limit,
a field of the wrong JSON type) raises `AdvisoryFormatError`; the source loader decides whether to skip or abort.
An `affected` entry without a `package` (a GIT-only entry describing a repository) names nothing an SBOM holds,
so it is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from regwarden.model.advisory import Advisory, AffectedPackage, AffectedRange, RangeEvent, SeverityScore
from regwarden.model.errors import BadInputError

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")


class AdvisoryFormatError(BadInputError):
    """An OSV record that violates the schema's required fields or types."""


def parse_osv(document: Mapping[str, Any], source: str | None = None) -> Advisory:
    """One OSV record as an Advisory; `source` (file or export URL) is kept as evidence of where it came from."""
    if not isinstance(document, Mapping):
        raise AdvisoryFormatError(f"{source or 'OSV record'}: expected a JSON object, got {type(document).__name__}")
    record_id = _required_str(document, "id", source)
    where = f"{source}: {record_id}" if source else record_id
    database_specific = _mapping(document, "database_specific", where)
    return Advisory(
        id=record_id,
        modified=_required_str(document, "modified", where),
        aliases=_strings(document, "aliases", where),
        related=_strings(document, "related", where),
        published=_optional_str(document, "published", where),
        withdrawn=_optional_str(document, "withdrawn", where),
        summary=_optional_str(document, "summary", where),
        details=_optional_str(document, "details", where),
        severity=_severities(document, where),
        affected=tuple(
            entry
            for index, item in enumerate(_list(document, "affected", where))
            if (entry := _affected(item, f"{where} affected[{index}]")) is not None
        ),
        references=tuple(_reference_url(item, where) for item in _list(document, "references", where)),
        database_severity=_database_severity(database_specific),
        schema_version=_optional_str(document, "schema_version", where),
        source=source,
    )


def _affected(item: object, where: str) -> AffectedPackage | None:
    if not isinstance(item, Mapping):
        raise AdvisoryFormatError(f"{where}: expected an object")
    package = _mapping(item, "package", where)
    if not package:
        return None
    return AffectedPackage(
        ecosystem=_required_str(package, "ecosystem", f"{where}.package"),
        name=_required_str(package, "name", f"{where}.package"),
        purl=_optional_str(package, "purl", f"{where}.package"),
        ranges=tuple(
            _range(entry, f"{where}.ranges[{index}]") for index, entry in enumerate(_list(item, "ranges", where))
        ),
        versions=_strings(item, "versions", where),
        severity=_severities(item, where),
        ecosystem_specific=dict(_mapping(item, "ecosystem_specific", where)),
        database_specific=dict(_mapping(item, "database_specific", where)),
    )


def _range(item: object, where: str) -> AffectedRange:
    if not isinstance(item, Mapping):
        raise AdvisoryFormatError(f"{where}: expected an object")
    range_type = _required_str(item, "type", where)
    if range_type not in RANGE_TYPES:
        raise AdvisoryFormatError(f"{where}: type {range_type!r} is not one of {', '.join(RANGE_TYPES)}")
    events = tuple(_event(event, f"{where}.events[{i}]") for i, event in enumerate(_list(item, "events", where)))
    if not events:
        raise AdvisoryFormatError(f"{where}: a range needs at least one event")
    return AffectedRange(type=range_type, events=events, repo=_optional_str(item, "repo", where))


def _event(item: object, where: str) -> RangeEvent:
    if not isinstance(item, Mapping) or len(item) != 1:
        raise AdvisoryFormatError(f"{where}: an event is an object with exactly one of {', '.join(EVENT_KINDS)}")
    ((kind, version),) = item.items()
    if kind not in EVENT_KINDS or not isinstance(version, str) or not version:
        raise AdvisoryFormatError(f"{where}: {kind!r}: {version!r} is not a valid event")
    return RangeEvent(kind=kind, version=version)


def _severities(item: Mapping[str, Any], where: str) -> tuple[SeverityScore, ...]:
    scores = []
    for index, entry in enumerate(_list(item, "severity", where)):
        here = f"{where} severity[{index}]"
        if not isinstance(entry, Mapping):
            raise AdvisoryFormatError(f"{here}: expected an object")
        scores.append(SeverityScore(type=_required_str(entry, "type", here), score=_required_str(entry, "score", here)))
    return tuple(scores)


def _database_severity(database_specific: Mapping[str, Any]) -> str | None:
    """GHSA's `database_specific.severity` (LOW/MODERATE/HIGH/CRITICAL); other shapes are not a rating."""
    value = database_specific.get("severity")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _reference_url(item: object, where: str) -> str:
    if not isinstance(item, Mapping):
        raise AdvisoryFormatError(f"{where} references: expected objects")
    return _required_str(item, "url", f"{where} references")


def _required_str(item: Mapping[str, Any], key: str, where: str | None) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AdvisoryFormatError(f"{where or 'OSV record'}: required field {key!r} is missing or not a string")
    return value


def _optional_str(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AdvisoryFormatError(f"{where}: {key!r} must be a string")
    return value


def _list(item: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise AdvisoryFormatError(f"{where}: {key!r} must be a list")
    return value


def _strings(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _list(item, key, where)
    if not all(isinstance(value, str) for value in values):
        raise AdvisoryFormatError(f"{where}: {key!r} must be a list of strings")
    return tuple(values)


def _mapping(item: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AdvisoryFormatError(f"{where}: {key!r} must be an object")
    return value
