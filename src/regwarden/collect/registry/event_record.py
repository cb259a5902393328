"""One registry event record: the object ACR webhooks, Event Grid's `data` and distribution envelopes share.

An ACR webhook payload is a CNCF distribution notification event (`id`, `timestamp`, `action`, `target`,
`request`); Event Grid puts the same object in `data`; distribution sends a list of them. So one reader serves
all three, and each wrapper only says where the record came from (`RecordContext`).

A record is usable when it names a repository and what happened to it: a digest for pushes, pulls, mounts and
quarantines, a digest or a tag for deletes (distribution announces a manifest delete as one digest-only event
and one tag-only event per tag it removed). Anything else raises `UnusableEventError` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from regwarden.model.catalog import RegistryEvent

DELETE_ACTIONS = frozenset({"delete", "chart_delete"})

# Grammars of the distribution spec; sha256/sha512 digests must also have their exact hex length.
_REPOSITORY = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")
_TAG = re.compile(r"\w[\w.-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_HEX_LENGTHS = {"sha256": 64, "sha512": 128}
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


class UnusableEventError(ValueError):
    """Why one event cannot become a RegistryEvent; the caller reports it with the event's position."""


@dataclass(frozen=True)
class RecordContext:
    """What the envelope around a record knows, used where the record itself is silent."""

    source_format: str
    registry: str | None = None
    """Host to use when the record has no `request.host` (ACR's chart events have no `request`)."""
    kind: str | None = None
    """`manifest` for senders that announce only manifests (ACR, Event Grid)."""
    action: str | None = None
    event_id: str | None = None
    timestamp: str | None = None


def read_event_record(record: object, context: RecordContext) -> RegistryEvent:
    """The RegistryEvent a record describes; raises UnusableEventError naming the first thing wrong."""
    if not isinstance(record, dict):
        raise UnusableEventError(f"is a JSON {type(record).__name__}, not an object")
    target = record.get("target")
    if not isinstance(target, dict):
        raise UnusableEventError("has no `target` object")
    action, repository = _action(record, context), _repository(target)
    digest, tag = _digest(target), _tag(target)
    if digest is None and (action not in DELETE_ACTIONS or tag is None):
        needed = "neither a digest nor a tag" if action in DELETE_ACTIONS else "no digest"
        raise UnusableEventError(f"`{action}` of {repository} names {needed} (`target.digest`)")
    return RegistryEvent(
        action=action,
        registry=_registry(record, context),
        repository=repository,
        digest=digest,
        tag=tag,
        media_type=_text(target, "mediaType", "target."),
        size=_size(target),
        timestamp=_timestamp(record, context),
        event_id=_text(record, "id", "") or context.event_id,
        source_format=context.source_format,
        kind=_kind(target, context),
    )


def _text(body: dict[str, Any], key: str, prefix: str) -> str | None:
    """An optional string field; "" counts as absent, any other type is an error."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UnusableEventError(f"`{prefix}{key}` must be a string, got {type(value).__name__}")
    return value


def _action(record: dict[str, Any], context: RecordContext) -> str:
    action = _text(record, "action", "") or context.action
    if action is None:
        raise UnusableEventError("has no `action`")
    return action.lower()


def _repository(target: dict[str, Any]) -> str:
    repository = _text(target, "repository", "target.")
    if repository is None:
        raise UnusableEventError("has no `target.repository`")
    if _REPOSITORY.fullmatch(repository) is None:
        raise UnusableEventError(f"`target.repository` {repository!r} is not a valid repository name")
    return repository


def _digest(target: dict[str, Any]) -> str | None:
    digest = _text(target, "digest", "target.")
    if digest is None:
        return None
    algorithm, _, hex_part = digest.partition(":")
    expected = _HEX_LENGTHS.get(algorithm)
    valid = _DIGEST.fullmatch(digest) is not None
    if not valid or (expected is not None and re.fullmatch(f"[a-f0-9]{{{expected}}}", hex_part) is None):
        raise UnusableEventError(f"`target.digest` {digest!r} is not a valid digest")
    return digest


def _tag(target: dict[str, Any]) -> str | None:
    tag = _text(target, "tag", "target.")
    if tag is not None and _TAG.fullmatch(tag) is None:
        raise UnusableEventError(f"`target.tag` {tag!r} is not a valid tag")
    return tag


def _size(target: dict[str, Any]) -> int | None:
    # `size` and `length` are documented as equal; older senders fill only `length`.
    for key in ("size", "length"):
        value = target.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise UnusableEventError(f"`target.{key}` must be a non-negative integer, got {value!r}")
        return value
    return None


def _registry(record: dict[str, Any], context: RecordContext) -> str:
    request = record.get("request")
    host = _text(request, "host", "request.") if isinstance(request, dict) else None
    host = host or context.registry
    if host is None:
        raise UnusableEventError("names no registry (`request.host`); pass the registry it came from")
    if _HOST.fullmatch(host) is None:
        raise UnusableEventError(f"`request.host` {host!r} is not a host[:port]")
    return host.lower()


def _timestamp(record: dict[str, Any], context: RecordContext) -> str | None:
    timestamp = _text(record, "timestamp", "") or context.timestamp
    if timestamp is None:
        return None
    try:
        datetime.fromisoformat(timestamp)
    except ValueError:
        raise UnusableEventError(f"`timestamp` {timestamp!r} is not an RFC 3339 time") from None
    return timestamp


def _kind(target: dict[str, Any], context: RecordContext) -> str | None:
    url = _text(target, "url", "target.") or ""
    if "/blobs/" in url:
        return "blob"
    if "/manifests/" in url:
        return "manifest"
    return context.kind
