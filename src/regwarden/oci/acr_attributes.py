"""ACR's changeable attributes (locks) and tag deletes, through its `/acr/v1` API (REST API 2021-07-01):

- `PATCH /acr/v1/{repo}/_manifests/{digest}` and `PATCH /acr/v1/{repo}/_tags/{tag}` with a JSON body of the
  attributes to change (`deleteEnabled`, `writeEnabled`, `readEnabled`, `listEnabled`); scope `metadata_write`.
  ACR answers with the manifest's or tag's attributes, which must then say what was asked.
- `DELETE /acr/v1/{repo}/_tags/{tag}` removes one tag and keeps its manifest (scope `delete`); 202 on success.

A locked image answers 405 (`REGISTRY_DISALLOWED_OPERATION`) to a delete: `LockedError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.oci.client import DeleteNotAllowedError, RegistryClient
from regwarden.oci.reference import validate_digest, validate_repository, validate_tag_or_digest
from regwarden.oci.retry import raise_for_status, registry_errors

LOCK_ATTRIBUTES = ("deleteEnabled", "writeEnabled", "readEnabled", "listEnabled")


class LockedError(DeleteNotAllowedError):
    """ACR refused to change a locked manifest or tag (405: deleteEnabled or writeEnabled is false)."""


@dataclass(frozen=True)
class Attributes:
    """Changeable attributes as ACR reports them after a change (None: not reported)."""

    delete_enabled: bool | None
    write_enabled: bool | None
    read_enabled: bool | None = None
    list_enabled: bool | None = None


def set_manifest_attributes(client: RegistryClient, repo: str, digest: str, changes: Mapping[str, bool]) -> Attributes:
    """Set a manifest's changeable attributes (e.g. `{"deleteEnabled": False, "writeEnabled": False}`)."""
    path = f"/acr/v1/{validate_repository(repo)}/_manifests/{validate_digest(digest)}"
    return _patch(client, repo, path, "manifest", changes, f"attributes of {repo}@{digest}")


def set_tag_attributes(client: RegistryClient, repo: str, tag: str, changes: Mapping[str, bool]) -> Attributes:
    """Set a tag's changeable attributes."""
    path = f"/acr/v1/{validate_repository(repo)}/_tags/{validate_tag_or_digest(tag)}"
    return _patch(client, repo, path, "tag", changes, f"attributes of {repo}:{tag}")


def delete_acr_tag(client: RegistryClient, repo: str, tag: str) -> None:
    """Remove one tag, keeping its manifest (ACR's untag)."""
    path = f"/acr/v1/{validate_repository(repo)}/_tags/{validate_tag_or_digest(tag)}"
    with client.send("DELETE", path, f"repository:{repo}:delete") as response:
        _raise(response, f"tag {repo}:{tag}", client.registry)


def delete_tag_reference(client: RegistryClient, repo: str, tag: str) -> None:
    """`DELETE /v2/{repo}/manifests/{tag}`: the distribution spec's tag delete, which registries may refuse
    (distribution 2.x answers 400 UNSUPPORTED; a registry with deletes disabled 405)."""
    path = f"/v2/{validate_repository(repo)}/manifests/{validate_tag_or_digest(tag)}"
    with client.send("DELETE", path, f"repository:{repo}:delete") as response:
        if response.status_code in (400, 405):
            raise DeleteNotAllowedError(
                f"{client.registry} does not delete tag {repo}:{tag} on its own: {registry_errors(response)}"
            )
        raise_for_status(response, f"tag {repo}:{tag}", NotFoundError)


def _patch(
    client: RegistryClient, repo: str, path: str, kind: str, changes: Mapping[str, bool], what: str
) -> Attributes:
    unknown = sorted(set(changes) - set(LOCK_ATTRIBUTES))
    if unknown or not changes:
        raise BadInputError(f"{what}: expected some of {', '.join(LOCK_ATTRIBUTES)}, got {sorted(changes)}")
    body = json.dumps(dict(changes)).encode()
    headers = {"Content-Type": "application/json"}
    with client.send("PATCH", path, f"repository:{repo}:metadata_write", content=body, headers=headers) as response:
        _raise(response, what, client.registry)
        answer = response.content
    reported = _reported(answer, kind)
    for key, wanted in changes.items():
        found = getattr(reported, _field(key))
        if found is not None and found != wanted:
            raise IntegrityError(f"{what}: ACR answered {key}={found} after being asked to set {wanted}")
    return reported


def _raise(response: httpx.Response, what: str, registry: str) -> None:
    if response.status_code == 405:
        raise LockedError(f"{registry} refused to change {what}: it is locked ({registry_errors(response)})")
    raise_for_status(response, what, NotFoundError)


def _reported(answer: bytes, kind: str) -> Attributes:
    """`{manifest|tag}.changeableAttributes` of ACR's answer (absent fields stay None)."""
    try:
        document = json.loads(answer) if answer else {}
    except ValueError:
        document = {}
    entry = document.get(kind) if isinstance(document, dict) else None
    attributes = entry.get("changeableAttributes") if isinstance(entry, dict) else None
    found = attributes if isinstance(attributes, dict) else {}
    return Attributes(*(_flag(found, key) for key in LOCK_ATTRIBUTES))


def _flag(attributes: Mapping[str, object], key: str) -> bool | None:
    value = attributes.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise BadInputError(f"ACR answered {key}={value!r}, not true or false")


def _field(key: str) -> str:
    return {"deleteEnabled": "delete_enabled", "writeEnabled": "write_enabled", "readEnabled": "read_enabled"}.get(
        key, "list_enabled"
    )
