"""Set a manifest's quarantine state in ACR: `PATCH /acr/v1/{repo}/_manifests/{digest}`.

The body holds the changeable attributes to set, as ACR's quarantine flow documents them:
`{"quarantineState": "Passed"|"Failed", "quarantineDetails": "<JSON string>"}`. The caller needs ACR's
AcrQuarantineWriter role; the token scope is the one ACR's challenge names (`metadata_write` for manifest
attributes), obtained through the client's usual flow. ACR answers with the manifest's attributes; when they name
a quarantine state, it must be the one just set.
"""

from __future__ import annotations

import json

from regwarden.model.errors import BadInputError, IntegrityError, NotFoundError
from regwarden.oci.client import RegistryClient
from regwarden.oci.reference import validate_digest, validate_repository
from regwarden.oci.retry import raise_for_status

QUARANTINE_STATES = frozenset({"Passed", "Failed"})


def write_scope(repo: str) -> str:
    return f"repository:{repo}:metadata_write"


def set_quarantine_state(client: RegistryClient, repo: str, digest: str, state: str, details: str) -> None:
    """Set `quarantineState` and `quarantineDetails` of manifest `digest` in `repo`."""
    if state not in QUARANTINE_STATES:
        raise BadInputError(f"quarantine state must be one of {sorted(QUARANTINE_STATES)}, got {state!r}")
    path = f"/acr/v1/{validate_repository(repo)}/_manifests/{validate_digest(digest)}"
    body = json.dumps({"quarantineState": state, "quarantineDetails": details}).encode()
    what = f"quarantine state of {repo}@{digest}"
    headers = {"Content-Type": "application/json"}
    with client.send("PATCH", path, write_scope(repo), content=body, headers=headers) as response:
        raise_for_status(response, what, NotFoundError)
        answer = response.content
    stored = _stored_state(answer)
    if stored is not None and stored != state:
        raise IntegrityError(f"{what}: ACR answered {stored!r} after being asked to set {state!r}")


def _stored_state(answer: bytes) -> str | None:
    """`manifest.changeableAttributes.quarantineState` of ACR's answer, when it has one."""
    try:
        document = json.loads(answer) if answer else None
    except ValueError:
        return None
    manifest = document.get("manifest") if isinstance(document, dict) else None
    attributes = manifest.get("changeableAttributes") if isinstance(manifest, dict) else None
    state = attributes.get("quarantineState") if isinstance(attributes, dict) else None
    return state if isinstance(state, str) else None
