"""Checked access to parsed JSON from untrusted files: a wrong shape is a ValueError that says what was wrong.

The SBOM readers use these instead of trusting `document["components"]` to be a list of objects, so a
hostile or broken file ends as a clear BadInputError rather than an AttributeError deep inside a reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def json_object(value: object, what: str) -> Mapping[str, Any]:
    """A JSON object, or {} when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object, got {type(value).__name__}")
    return value


def json_objects(value: object, what: str) -> list[Mapping[str, Any]]:
    """A list of JSON objects, or [] when absent."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError(f"{what} must be a list of objects")
    return value


def json_strings(value: object, what: str) -> tuple[str, ...]:
    """A list of strings, or () when absent."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def json_text(value: object) -> str:
    """A scalar as text ("" when absent): JSON numbers are accepted (`"version": 2`), objects are not."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return str(value)


def json_optional_text(value: object, what: str) -> str | None:
    """A string or null, exactly: used where "" and null mean different things."""
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{what} must be a string or null, got {type(value).__name__}")


def json_optional_int(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an integer or null, got {type(value).__name__}")
    return value
