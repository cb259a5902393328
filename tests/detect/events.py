"""Readable audit events for detection tests: `login(...)`, `repository(...)`, `activity(...)` with the fields a
case is about and sensible defaults for the rest (registry shopacr in resource group rg-shop)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from regwarden.model.audit import AuditEvent, AuditTable

SUB = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"
GROUP = f"{SUB}/resourceGroups/rg-shop"
REGISTRY = f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/shopacr"
T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, days=days)


def login(
    identity: str = "ci-pipeline",
    ip: str = "10.0.0.5",
    *,
    minutes: float = 0,
    days: float = 0,
    result: str = "Success",
    status: str = "200",
    server: str = "shopacr.azurecr.io",
) -> AuditEvent:
    return AuditEvent(
        AuditTable.LOGIN,
        at(minutes, days=days),
        "Login",
        identity=identity,
        caller_ip=ip,
        result_type=result,
        result_description=status,
        resource_id=REGISTRY,
        login_server=server,
        origin=f"login@{minutes}",
    )


def repository(
    operation: str = "Pull",
    *,
    identity: str = "ci-pipeline",
    ip: str = "10.0.0.5",
    minutes: float = 0,
    days: float = 0,
    repo: str = "shop/web",
    tag: str = "1.4",
    digest: str = "",
) -> AuditEvent:
    return AuditEvent(
        AuditTable.REPOSITORY,
        at(minutes, days=days),
        operation,
        identity=identity,
        caller_ip=ip,
        result_type="Success",
        result_description="200",
        resource_id=REGISTRY,
        login_server="shopacr.azurecr.io",
        repository=repo,
        tag=tag,
        digest=digest,
        origin=f"{operation.lower()}@{minutes}",
    )


def activity(
    operation: str,
    resource_id: str = REGISTRY,
    *,
    body: dict[str, object] | None = None,
    status: str = "Succeeded",
    caller: str = "mallory@example.com",
    minutes: float = 0,
    correlation: str = "",
) -> AuditEvent:
    properties: dict[str, object] = {"eventCategory": "Administrative"}
    if body is not None:
        properties["requestbody"] = json.dumps(body)
    return AuditEvent(
        AuditTable.ACTIVITY,
        at(minutes),
        operation,
        identity=caller,
        caller_ip="192.0.2.15",
        resource_id=resource_id,
        correlation_id=correlation,
        status=status,
        properties=properties,
        origin=f"activity@{minutes}",
    )
