"""Turn raw OSV records into the rows the store keeps: parsed once, validated, and keyed for lookup.

A record that cannot be parsed is returned as a `RejectedRecord` with its reason, so every caller can report and
count it; nothing is dropped silently.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from regwarden.model.advisory import Advisory
from regwarden.model.advisory_database import RejectedRecord
from regwarden.model.errors import BadInputError
from regwarden.store.match_view import encode_views
from regwarden.vuln.ecosystems import index_key
from regwarden.vuln.osv import parse_osv

UNKNOWN_COLLECTION = "unknown"


@dataclass(frozen=True)
class StoredRecord:
    advisory: Advisory
    modified: str
    published: str | None
    withdrawn: str | None
    raw: bytes
    """zlib-compressed OSV JSON, exactly as the source published it."""
    index_keys: frozenset[tuple[str, str]]
    aliases: frozenset[str]
    views: Mapping[tuple[str, str], str] = field(default_factory=dict, hash=False, compare=False)
    """The match view (store/match_view.py) of each index key."""

    @property
    def base_ecosystem(self) -> str:
        """The collection an imported record belongs to: its first affected entry's base ecosystem."""
        for affected in self.advisory.affected:
            return index_key(affected.ecosystem, affected.name)[0]
        return UNKNOWN_COLLECTION


def prepare(record_id: str, data: bytes, source: str | None) -> StoredRecord | RejectedRecord:
    """Parse and validate one raw record; a bad one becomes a RejectedRecord naming the problem."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return RejectedRecord(record_id, f"not JSON: {error}")
    if not isinstance(document, dict):
        return RejectedRecord(record_id, "not an OSV record: the JSON is not an object")
    try:
        advisory = parse_osv(document, source)
        modified = utc_text(advisory.modified)
        published = utc_text(advisory.published) if advisory.published else None
        withdrawn = utc_text(advisory.withdrawn) if advisory.withdrawn else None
    except BadInputError as error:
        return RejectedRecord(record_id, str(error))
    return StoredRecord(
        advisory=advisory,
        modified=modified,
        published=published,
        withdrawn=withdrawn,
        raw=zlib.compress(data),
        index_keys=_index_keys(advisory),
        aliases=frozenset(advisory.aliases),
        views=encode_views(advisory),
    )


def decode(raw: bytes, source: str | None) -> Advisory:
    """The Advisory of a stored blob (the store only ever holds blobs `prepare` accepted)."""
    document: dict[str, Any] = json.loads(zlib.decompress(raw))
    return parse_osv(document, source)


def utc_text(timestamp: str) -> str:
    """An RFC 3339 timestamp as fixed-width UTC text, so that comparing texts compares instants."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except (TypeError, ValueError) as error:
        raise BadInputError(f"not an RFC 3339 timestamp: {timestamp!r}") from error
    if moment.tzinfo is None:
        # OSV requires a zone; a bare timestamp is read as UTC rather than rejecting the whole record.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def newest(records: Iterable[StoredRecord]) -> str | None:
    return max((record.modified for record in records), default=None)


def _index_keys(advisory: Advisory) -> frozenset[tuple[str, str]]:
    return frozenset(index_key(affected.ecosystem, affected.name) for affected in advisory.affected if affected.name)
