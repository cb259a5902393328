"""Checked reads from Kubernetes API objects (parsed JSON): a field of the wrong type is a BadInputError naming it.

Absent fields read as empty: the API omits empty lists and maps (`ownerReferences`, `labels`, `containerStatuses`),
so absence is normal, but a string where an object belongs means the input is not what it claims to be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regwarden.model.errors import BadInputError

KubeObject = Mapping[str, Any]


def mapping_at(obj: KubeObject, *path: str) -> KubeObject:
    """The object at `path`, or {} when absent."""
    value = _walk(obj, path)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadInputError(f"{describe(obj)}: {'.'.join(path)} must be an object, got {type(value).__name__}")
    return value


def objects_at(obj: KubeObject, *path: str) -> list[KubeObject]:
    """The list of objects at `path`, or [] when absent."""
    value = _walk(obj, path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise BadInputError(f"{describe(obj)}: {'.'.join(path)} must be a list of objects")
    return value


def text_at(obj: KubeObject, *path: str) -> str:
    """The string at `path`, or "" when absent."""
    value = _walk(obj, path)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInputError(f"{describe(obj)}: {'.'.join(path)} must be a string, got {type(value).__name__}")
    return value


def labels_of(obj: KubeObject) -> dict[str, str]:
    """`metadata.labels` as a plain dict of strings."""
    labels = mapping_at(obj, "metadata", "labels")
    if not all(isinstance(value, str) for value in labels.values()):
        raise BadInputError(f"{describe(obj)}: metadata.labels must map names to strings")
    return dict(labels)


def describe(obj: KubeObject) -> str:
    """`Pod shop/web-7d4f8-abcde`, for error messages."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return str(obj.get("kind") or "object")
    where = "/".join(str(part) for part in (metadata.get("namespace"), metadata.get("name")) if part)
    return f"{obj.get('kind') or 'object'} {where}".strip()


def _walk(obj: KubeObject, path: tuple[str, ...]) -> Any:
    value: Any = obj
    for depth, key in enumerate(path):
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise BadInputError(f"{describe(obj)}: {'.'.join(path[:depth])} must be an object")
        value = value.get(key)
    return value
