"""ACR's metadata API (`/acr/v1`): repositories, tags and manifests with what plain OCI listings cannot tell.

- `GET /acr/v1/_catalog` (scope `registry:catalog:*`): repository names.
- `GET /acr/v1/{repo}/_tags` (scope `repository:{repo}:metadata_read`): each tag with its digest, times and
  changeable attributes.
- `GET /acr/v1/{repo}/_manifests` (same scope): every manifest, untagged ones included, with size, times,
  platform, media type, tags, child digests of an index (`references`), changeable attributes and quarantine.

All three page with `n` / `last` and a `Link: <…>; rel="next"` header; `orderby` (`timedesc`, `timeasc`) sorts
tags and manifests by last update. Requests go through RegistryClient, so ACR's token exchange, retries and the
refresh on 401 are the ones every other registry call uses. Field names follow ACR's REST API (2021-07-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError, RegwardenError
from regwarden.oci.client import RegistryClient
from regwarden.oci.json_fields import optional_str, require_object, required_str
from regwarden.oci.reference import validate_digest, validate_repository

ORDER_BY = frozenset({"timedesc", "timeasc"})
CATALOG_SCOPE = "registry:catalog:*"


@dataclass(frozen=True)
class AcrTag:
    """One tag as `/acr/v1/{repo}/_tags` describes it."""

    repository: str
    name: str
    digest: str
    created: str | None = None
    last_updated: str | None = None
    """When the tag last moved (RFC 3339)."""
    delete_enabled: bool | None = None
    write_enabled: bool | None = None
    read_enabled: bool | None = None
    list_enabled: bool | None = None


def metadata_scope(repo: str) -> str:
    """The token scope ACR asks for to read a repository's metadata."""
    return f"repository:{repo}:metadata_read"


def acr_repositories(client: RegistryClient, *, page_size: int | None = None) -> list[str]:
    """Every repository of the registry, from `/acr/v1/_catalog`."""
    names: list[str] = []
    for page in _pages(client, "/acr/v1/_catalog", CATALOG_SCOPE, page_size, None, "ACR catalog"):
        found = page.get("repositories")
        if found is None:
            continue
        if not isinstance(found, list) or not all(isinstance(name, str) for name in found):
            raise BadInputError("ACR catalog: `repositories` must be a list of strings")
        names += found
    return names


def acr_tags(
    client: RegistryClient, repo: str, *, order_by: str | None = None, page_size: int | None = None
) -> list[AcrTag]:
    """Every tag of `repo` with its digest, times and attributes, from `/acr/v1/{repo}/_tags`."""
    what = f"ACR tags of {repo}"
    path = f"/acr/v1/{validate_repository(repo)}/_tags"
    tags: list[AcrTag] = []
    for page in _pages(client, path, metadata_scope(repo), page_size, order_by, what):
        for position, entry in enumerate(_entries(page, "tags", what)):
            tags.append(_tag(repo, entry, f"{what}: tags[{position}]"))
    return tags


def acr_manifests(
    client: RegistryClient, repo: str, *, order_by: str | None = None, page_size: int | None = None
) -> list[ManifestListing]:
    """Every manifest of `repo`, untagged ones and an index's children included, from `/acr/v1/{repo}/_manifests`.

    Tags are sorted; `references` keeps ACR's order (the index's own order of platforms).
    """
    what = f"ACR manifests of {repo}"
    path = f"/acr/v1/{validate_repository(repo)}/_manifests"
    listings: list[ManifestListing] = []
    for page in _pages(client, path, metadata_scope(repo), page_size, order_by, what):
        for position, entry in enumerate(_entries(page, "manifests", what)):
            listings.append(_manifest(repo, entry, f"{what}: manifests[{position}]"))
    return listings


def _pages(
    client: RegistryClient, path: str, scope: str, page_size: int | None, order_by: str | None, what: str
) -> list[dict[str, Any]]:
    if order_by is not None and order_by not in ORDER_BY:
        raise ValueError(f"order_by must be one of {sorted(ORDER_BY)}, got {order_by!r}")
    params = {key: value for key, value in (("n", page_size), ("orderby", order_by)) if value is not None}
    pages = client.get_json_pages(path, scope, params={k: str(v) for k, v in params.items()}, what=what)
    return [require_object(page, f"the registry's answer for {what}") for page in pages]


def _entries(page: dict[str, Any], key: str, what: str) -> list[object]:
    entries = page.get(key)
    if entries is None:
        return []  # an empty repository answers without the list
    if not isinstance(entries, list):
        raise BadInputError(f"{what}: `{key}` must be a list, got {type(entries).__name__}")
    return entries


def _tag(repo: str, entry: object, what: str) -> AcrTag:
    body = require_object(entry, what)
    attributes = _attributes(body, what)
    return AcrTag(
        repository=repo,
        name=required_str(body.get("name"), f"{what}.name"),
        digest=_digest(body.get("digest"), f"{what}.digest"),
        created=optional_str(body.get("createdTime"), f"{what}.createdTime"),
        last_updated=optional_str(body.get("lastUpdateTime"), f"{what}.lastUpdateTime"),
        delete_enabled=_flag(attributes, "deleteEnabled", what),
        write_enabled=_flag(attributes, "writeEnabled", what),
        read_enabled=_flag(attributes, "readEnabled", what),
        list_enabled=_flag(attributes, "listEnabled", what),
    )


def _manifest(repo: str, entry: object, what: str) -> ManifestListing:
    body = require_object(entry, what)
    attributes = _attributes(body, what)
    quarantine = attributes.get("quarantineState", body.get("quarantineState"))
    return ManifestListing(
        repository=repo,
        digest=_digest(body.get("digest"), f"{what}.digest"),
        tags=tuple(sorted(_strings(body.get("tags"), f"{what}.tags"))),
        media_type=optional_str(body.get("mediaType"), f"{what}.mediaType"),
        created=optional_str(body.get("createdTime"), f"{what}.createdTime"),
        last_updated=optional_str(body.get("lastUpdateTime"), f"{what}.lastUpdateTime"),
        size=_size(body.get("imageSize"), f"{what}.imageSize"),
        architecture=optional_str(body.get("architecture"), f"{what}.architecture"),
        os=optional_str(body.get("os"), f"{what}.os"),
        references=_references(body.get("references"), f"{what}.references"),
        delete_enabled=_flag(attributes, "deleteEnabled", what),
        write_enabled=_flag(attributes, "writeEnabled", what),
        read_enabled=_flag(attributes, "readEnabled", what),
        list_enabled=_flag(attributes, "listEnabled", what),
        quarantine_state=optional_str(quarantine, f"{what}.quarantineState"),
    )


def _attributes(body: dict[str, Any], what: str) -> dict[str, Any]:
    value = body.get("changeableAttributes")
    return {} if value is None else require_object(value, f"{what}.changeableAttributes")


def _flag(attributes: dict[str, Any], key: str, what: str) -> bool | None:
    value = attributes.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise BadInputError(f"{what}.changeableAttributes.{key} must be true or false, got {value!r}")


def _digest(value: object, what: str) -> str:
    try:
        return validate_digest(required_str(value, what))
    except RegwardenError as exc:
        raise BadInputError(f"{what}: {exc}") from None


def _size(value: object, what: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadInputError(f"{what} must be a non-negative integer, got {value!r}")
    return value


def _strings(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInputError(f"{what} must be a list of strings, got {value!r}")
    return value


def _references(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInputError(f"{what} must be a list, got {type(value).__name__}")
    return tuple(
        _digest(require_object(item, f"{what}[{i}]").get("digest"), f"{what}[{i}].digest")
        for i, item in enumerate(value)
    )
