"""Typed reads of fields from OCI JSON documents: each wrong type becomes a BadInputError naming the field."""

from __future__ import annotations

import json
import re
from typing import Any

from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor, Platform

# The OCI digest grammar; which algorithms are acceptable is decided when content is verified (oci.blobs).
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")


def load_json(data: bytes, what: str) -> Any:
    """Decode a JSON document; bytes that are not UTF-8 JSON become a BadInputError naming `what`."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{what} is not valid JSON: {exc}") from None


def require_object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInputError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def optional_str(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadInputError(f"{what} must be a string, got {value!r}")


def required_str(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadInputError(f"{what} must be a non-empty string, got {value!r}")
    return value


def string_map(value: object, what: str) -> dict[str, str]:
    """A JSON object of string values; null or absent is an empty map."""
    if value is None:
        return {}
    mapping = require_object(value, what)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise BadInputError(f"{what} must map strings to strings")
    return dict(mapping)


def string_list(value: object, what: str) -> tuple[str, ...] | None:
    """A JSON array of strings; null or absent is None (distinct from an empty array for Cmd/Entrypoint)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInputError(f"{what} must be an array of strings, got {value!r}")
    return tuple(value)


def parse_platform(value: object, what: str) -> Platform | None:
    if value is None:
        return None
    body = require_object(value, what)
    return Platform(
        os=required_str(body.get("os"), f"{what}.os"),
        architecture=required_str(body.get("architecture"), f"{what}.architecture"),
        variant=optional_str(body.get("variant"), f"{what}.variant") or None,
    )


def parse_descriptor(value: object, what: str) -> Descriptor:
    body = require_object(value, what)
    digest = required_str(body.get("digest"), f"{what}.digest")
    if _DIGEST.fullmatch(digest) is None:
        raise BadInputError(f"{what}.digest is malformed: {digest!r}")
    size = body.get("size")
    # bool is an int in Python; a size of `true` is still malformed.
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise BadInputError(f"{what}.size must be a non-negative integer, got {size!r}")
    return Descriptor(
        media_type=required_str(body.get("mediaType"), f"{what}.mediaType"),
        digest=digest,
        size=size,
        annotations=string_map(body.get("annotations"), f"{what}.annotations"),
        platform=parse_platform(body.get("platform"), f"{what}.platform"),
    )


def parse_descriptors(value: object, what: str) -> tuple[Descriptor, ...]:
    """A JSON array of descriptors; absent or null is empty (artifacts may have no layers)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInputError(f"{what} must be an array, got {type(value).__name__}")
    return tuple(parse_descriptor(item, f"{what}[{i}]") for i, item in enumerate(value))
