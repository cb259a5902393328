"""What a record means, read the same way by every detection: login outcomes, caller addresses, Activity Log
request bodies and statuses, and the scopes resource ids name."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from functools import lru_cache

from regwarden.model.audit import AuditEvent

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_FAILED = frozenset({"failure", "failed", "fail", "error", "unauthorized", "forbidden", "denied"})
_SUCCEEDED = frozenset({"success", "succeeded", "ok"})
_REGISTRIES = "/providers/microsoft.containerregistry/registries/"


def login_failed(event: AuditEvent) -> bool:
    """The record says the attempt failed: a failure result type, or an HTTP status of 400 or above."""
    if event.result_type.casefold() in _FAILED:
        return True
    return any(_status(text) >= 400 for text in (event.result_description, event.result_type))


def login_outcome(event: AuditEvent) -> str:
    """`succeeded`, `failed`, or `result not logged`, for messages."""
    if login_failed(event):
        return "failed"
    if event.result_type.casefold() in _SUCCEEDED or 200 <= _status(event.result_description) < 300:
        return "succeeded"
    return "result not logged"


def _status(text: str) -> int:
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() and len(stripped) == 3 else 0


@lru_cache(maxsize=65536)
def caller_address(text: str) -> Address | None:
    """The caller's address, from `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1`, `[2001:db8::1]:443`;
    IPv4-mapped IPv6 (`::ffff:198.51.100.24`) as the IPv4 address it is. None when it is not an address."""
    candidate = text.strip()
    if candidate.startswith("["):
        candidate = candidate[1:].split("]", 1)[0]
    elif candidate.count(":") == 1:
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def activity_failed(event: AuditEvent) -> bool:
    """An Activity Log record of an operation that failed (and so changed nothing)."""
    return event.status.casefold() in _FAILED or event.result_type.casefold() in _FAILED


def request_body(event: AuditEvent) -> Mapping[str, object] | None:
    """The ARM request body an Activity Log record carries (`properties.requestbody`), or None when not logged."""
    for key, value in event.properties.items():
        if key.casefold() == "requestbody":
            if isinstance(value, Mapping):
                return value
            try:
                parsed = json.loads(value) if isinstance(value, str) else None
            except ValueError:
                return None
            return parsed if isinstance(parsed, Mapping) else None
    return None


def body_value(body: Mapping[str, object], *path: str) -> object:
    """A value in a request body by path, matching keys case-insensitively (ARM does); None when absent."""
    current: object = body
    for step in path:
        if not isinstance(current, Mapping):
            return None
        current = next((value for key, value in current.items() if str(key).casefold() == step.casefold()), None)
    return current


def registry_id(resource_id: str) -> str:
    """The registry a resource id is (or is under), casefolded: `/subscriptions/…/registries/shopacr`; else ""."""
    lowered = resource_id.casefold()
    at = lowered.find(_REGISTRIES)
    if at < 0:
        return ""
    name = lowered[at + len(_REGISTRIES) :].split("/", 1)[0]
    return lowered[: at + len(_REGISTRIES)] + name


def resource_group_id(resource_id: str) -> str:
    """`/subscriptions/S/resourcegroups/G` of a resource id, casefolded; "" when it names none."""
    parts = resource_id.casefold().strip("/").split("/")
    if len(parts) >= 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups":
        return "/" + "/".join(parts[:4])
    return ""


def scope_of_role_assignment(event: AuditEvent) -> str:
    """The scope a role assignment record is about: the request body's `Properties.Scope`, else the part of its
    resource id before `/providers/Microsoft.Authorization/roleAssignments/`."""
    body = request_body(event)
    scope = body_value(body, "properties", "scope") if body is not None else None
    if isinstance(scope, str) and scope:
        return scope.casefold().rstrip("/")
    lowered = event.resource_id.casefold()
    at = lowered.find("/providers/microsoft.authorization/roleassignments")
    return lowered[:at] if at > 0 else lowered
