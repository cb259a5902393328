"""Write the synthetic sample audit logs of regwardendemo (see README.md): `python3 samples/logs/make_sample_logs.py`.

Sixteen quiet days (a pipeline pushing and logging in, two AKS clusters pulling, from known addresses), then one bad
night: password guessing, the admin account used from a new address, a mass deletion that takes a running image
with it, and the registry's settings loosened through the Azure control plane. Deterministic: the same files every run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SUB = "3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-demo"
REGISTRY = f"{GROUP}/providers/Microsoft.ContainerRegistry/registries/regwardendemo"
SERVER = "regwardendemo.azurecr.io"
START = datetime(2024, 5, 1, tzinfo=UTC)
NIGHT = START + timedelta(days=16, hours=2)
ATTACKER = "198.51.100.66"
RUNNING_CART = "sha256:84e17569b1c9f06a793ee72c8631e06f3f5bca44bec8c1a1b5bd44a11af9ba84"


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def row(table: str, moment: datetime, operation: str, identity: str, ip: str, **fields: object) -> dict[str, object]:
    """A Log Analytics row of a registry table, with the columns the table reference documents."""
    base: dict[str, object] = {
        "TimeGenerated": stamp(moment),
        "Type": table,
        "Category": table,
        "OperationName": operation,
        "Identity": identity,
        "CallerIpAddress": ip,
        "LoginServer": SERVER,
        "ResultType": "Success",
        "ResultDescription": "200",
        "Region": "westeurope",
        "_ResourceId": REGISTRY.lower(),
    }
    return {**base, **fields}


def quiet_days() -> list[dict[str, object]]:
    rows = []
    for day in range(16):
        morning = START + timedelta(days=day, hours=9)
        rows.append(row("ContainerRegistryLoginEvents", morning, "Login", "ci-pipeline", "10.20.30.40"))
        rows.append(
            row(
                "ContainerRegistryRepositoryEvents",
                morning + timedelta(minutes=2),
                "Push",
                "ci-pipeline",
                "10.20.30.40",
                Repository="shop/web",
                Tag=f"1.{day % 2}",
                ResultDescription="201",
            )
        )
        for minutes, (cluster_ip, repository) in enumerate((("10.240.0.4", "shop/web"), ("10.241.0.4", "shop/cart"))):
            rows.append(
                row(
                    "ContainerRegistryRepositoryEvents",
                    morning + timedelta(minutes=10 + minutes),
                    "Pull",
                    "aks-kubelet-identity",
                    cluster_ip,
                    Repository=repository,
                    Tag="1.1",
                )
            )
    return rows


def bad_night() -> list[dict[str, object]]:
    rows = [
        row(
            "ContainerRegistryLoginEvents",
            NIGHT + timedelta(seconds=15 * n),
            "Login",
            name,
            ATTACKER,
            ResultType="Failure",
            ResultDescription="401",
        )
        for n, name in enumerate(["admin", "regwardendemo", "root", "ci", "deploy", "regwardendemo"] * 2)
    ]
    rows.append(row("ContainerRegistryLoginEvents", NIGHT + timedelta(minutes=4), "Login", "regwardendemo", ATTACKER))
    rows.append(
        row(
            "ContainerRegistryRepositoryEvents",
            NIGHT + timedelta(minutes=5),
            "Pull",
            "regwardendemo",
            "2001:db8:bad::66",
            Repository="payments/api",
            Tag="2.8.1",
        )
    )
    for n in range(24):
        repository, digest = ("shop/cart", RUNNING_CART) if n == 7 else (f"shop/app{n}", f"sha256:{n:064x}")
        rows.append(
            row(
                "ContainerRegistryRepositoryEvents",
                NIGHT + timedelta(minutes=10, seconds=10 * n),
                "Delete",
                "regwardendemo",
                ATTACKER,
                Repository=repository,
                Digest=digest,
                ResultDescription="202",
            )
        )
    return rows


def activity(moment: datetime, operation: str, resource: str, body: dict[str, object] | None = None) -> str:
    """One Activity Log record as archived to a storage account (insights-activity-logs, JSON lines)."""
    properties: dict[str, object] = {"eventCategory": "Administrative", "entity": resource}
    if body is not None:
        properties["requestbody"] = json.dumps(body)
    record = {
        "time": stamp(moment),
        "resourceId": resource.upper(),
        "operationName": operation.upper(),
        "category": "Administrative",
        "resultType": "Success",
        "callerIpAddress": ATTACKER,
        "correlationId": f"0000{moment:%H%M%S}-0000-4000-8000-000000000000",
        "identity": {"claims": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "mallory@example.com"}},
        "level": "Information",
        "properties": properties,
    }
    return json.dumps(record)


def activity_lines() -> list[str]:
    acr = "Microsoft.ContainerRegistry/registries"
    return [
        activity(NIGHT - timedelta(minutes=30), f"{acr}/listCredentials/action", REGISTRY),
        activity(
            NIGHT + timedelta(minutes=30),
            "Microsoft.Insights/diagnosticSettings/delete",
            f"{REGISTRY}/providers/Microsoft.Insights/diagnosticSettings/audit",
        ),
        activity(
            NIGHT + timedelta(minutes=31),
            f"{acr}/write",
            REGISTRY,
            {"properties": {"anonymousPullEnabled": True, "publicNetworkAccess": "Enabled"}},
        ),
        activity(NIGHT + timedelta(minutes=32), f"{acr}/webhooks/write", f"{REGISTRY}/webhooks/mirror"),
        activity(NIGHT + timedelta(minutes=33), f"{acr}/tokens/write", f"{REGISTRY}/tokens/backdoor"),
        activity(
            NIGHT + timedelta(minutes=34),
            "Microsoft.Authorization/roleAssignments/write",
            f"{GROUP}/providers/Microsoft.Authorization/roleAssignments/6e1f0000-0000-4000-8000-000000000001",
            {"Properties": {"PrincipalId": "6e1f0000-0000-4000-8000-0000000000aa", "Scope": GROUP}},
        ),
    ]


def main() -> None:
    (HERE / "registry-events.json").write_text(json.dumps(quiet_days() + bad_night(), indent=1) + "\n")
    (HERE / "activity.jsonl").write_text("\n".join(activity_lines()) + "\n")


if __name__ == "__main__":
    main()
