"""Posture benchmark: `regwarden audit acr` on 1,000 registries (ARM export and Terraform) against Checkov.

Generates, in a temporary folder, one subscription's worth of registries with every child and related resource
(replications, scope maps, tokens with passwords, webhooks, tasks, diagnostic settings, role assignments,
locks, private endpoints, a workspace, Defender pricing) twice: as an ARM export (what `az resource list` plus
the child lists give) and as the equivalent Terraform source. Then it times, each in its own child process:

- `regwarden audit acr --from export.json` (every rule, JSON output),
- `regwarden audit acr --from terraform/` (the `.tf` directory),
- `regwarden audit acr --from plan.json` (the same configuration as `terraform show -json` of a plan would
  give it: planned values, `after_unknown` for ids and references, and the configuration's references),
- `checkov -d terraform/ --framework terraform` (from a separate venv, never the project's).

Wall time is measured around each process; CPU time (user + system) and peak RSS come from `wait4()`, so a
busy shared machine shows in wall time but hardly in CPU time. Prints a Markdown table of medians.

    python3 -m venv .cache/checkov-venv && .cache/checkov-venv/bin/pip install checkov   # once
    .venv/bin/python benchmarks/bench_posture.py                 # 1,000 registries
    .venv/bin/python benchmarks/bench_posture.py --registries 200 --runs 3 --keep /tmp/posture-bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REGWARDEN = REPO / ".venv" / "bin" / "regwarden"
CHECKOV = REPO / ".cache" / "checkov-venv" / "bin" / "checkov"
SUBSCRIPTION = "/subscriptions/3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"
ACR_PUSH = f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec"
NETWORK = "providers/Microsoft.Network"
SUBNET = f"{SUBSCRIPTION}/resourceGroups/rg-net/{NETWORK}/virtualNetworks/hub/subnets/pe"
WORKSPACE = f"{SUBSCRIPTION}/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/law"
WEEKLY = "0 3 * * 0"
PURGE = "version: v1.1.0\nsteps:\n  - cmd: acr purge --filter 'app:.*' --untagged --ago 30d\n"
REGIONS = ("northeurope", "swedencentral", "eastus", "uksouth")


@dataclass(frozen=True)
class Run:
    tool: str
    wall_s: float
    cpu_s: float
    """User plus system time of the child process."""
    peak_rss_kib: int
    exit_code: int


# ------------------------------------------------------------------------------------------ ARM export
def arm_registry(i: int) -> list[dict[str, Any]]:
    """One registry with nested children, plus its related resources beside it."""
    name, hardened = f"acrbench{i:04d}", i % 2 == 0
    group = f"{SUBSCRIPTION}/resourceGroups/rg-bench-{i % 20:02d}"
    rid = f"{group}/providers/Microsoft.ContainerRegistry/registries/{name}"
    child = "Microsoft.ContainerRegistry/registries/"
    props: dict[str, Any] = {
        "adminUserEnabled": not hardened,
        "publicNetworkAccess": "Disabled" if hardened else "Enabled",
        "networkRuleSet": {"defaultAction": "Deny" if hardened else "Allow", "ipRules": []},
        "dataEndpointEnabled": hardened,
        "zoneRedundancy": "Enabled" if hardened else "Disabled",
        "policies": {
            "quarantinePolicy": {"status": "enabled" if hardened else "disabled"},
            "retentionPolicy": {"days": 7, "status": "enabled" if hardened else "disabled"},
            "exportPolicy": {"status": "disabled" if hardened else "enabled"},
            "trustPolicy": {"type": "Notary", "status": "disabled"},
        },
        "privateEndpointConnections": [
            {
                "name": f"pe-{name}.conn",
                "properties": {
                    "privateEndpoint": {"id": f"{group}/{NETWORK}/privateEndpoints/pe-{name}"},
                    "privateLinkServiceConnectionState": {"status": "Approved"},
                },
            }
        ],
    }
    replica = REGIONS[i % len(REGIONS)]
    registry = {
        "id": rid,
        "name": name,
        "type": "Microsoft.ContainerRegistry/registries",
        "location": "westeurope",
        "sku": {"name": "Premium", "tier": "Premium"},
        "properties": props,
        "replications": [
            {
                "id": f"{rid}/replications/{replica}",
                "name": replica,
                "type": child + "replications",
                "location": replica,
                "properties": {"zoneRedundancy": "Enabled", "regionEndpointEnabled": True},
            }
        ],
        "scopeMaps": [
            {
                "id": f"{rid}/scopeMaps/app-pull",
                "name": "app-pull",
                "type": child + "scopeMaps",
                "properties": {"actions": ["repositories/app/content/read"]},
            }
        ],
        "tokens": [
            {
                "id": f"{rid}/tokens/deploy",
                "name": "deploy",
                "type": child + "tokens",
                "properties": {
                    "scopeMapId": f"{rid}/scopeMaps/app-pull",
                    "status": "enabled",
                    "credentials": {"passwords": [{"name": "password1", "expiry": "2026-02-01T00:00:00Z"}]},
                },
            }
        ],
        "webhooks": [
            {
                "id": f"{rid}/webhooks/deploy",
                "name": "deploy",
                "type": child + "webhooks",
                "properties": {"status": "enabled", "actions": ["push"]},
                "callbackConfig": {"serviceUri": f"{'https' if hardened else 'http'}://deploy.example/{name}"},
            }
        ],
        "tasks": [
            {
                "id": f"{rid}/tasks/purge",
                "name": "purge",
                "type": child + "tasks",
                "properties": {
                    "status": "Enabled",
                    "step": {"type": "EncodedTask", "encodedTaskContent": _b64(PURGE)},
                    "trigger": {"timerTriggers": [{"name": "weekly", "schedule": WEEKLY, "status": "Enabled"}]},
                },
            }
        ],
        "diagnosticSettings": [
            {
                "id": f"{rid}/providers/microsoft.insights/diagnosticSettings/audit",
                "name": "audit",
                "type": "Microsoft.Insights/diagnosticSettings",
                "properties": {
                    "workspaceId": WORKSPACE,
                    "logs": [
                        {"category": "ContainerRegistryLoginEvents", "enabled": True},
                        {"category": "ContainerRegistryRepositoryEvents", "enabled": hardened},
                    ],
                },
            }
        ],
    }
    assignment = f"{i:08d}-0000-4000-8000-000000000001"
    related = [
        {
            "id": f"{rid}/providers/Microsoft.Authorization/roleAssignments/{assignment}",
            "name": assignment,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "scope": rid,
                "roleDefinitionId": ACR_PUSH,
                "principalId": f"{i:08d}-aaaa-4bbb-8ccc-000000000001",
                "principalType": "ServicePrincipal" if hardened else "User",
            },
        },
        {
            "id": f"{rid}/providers/Microsoft.Authorization/locks/no-delete",
            "name": "no-delete",
            "type": "Microsoft.Authorization/locks",
            "properties": {"level": "CanNotDelete" if hardened else "ReadOnly"},
        },
        {
            "id": f"{group}/providers/Microsoft.Network/privateEndpoints/pe-{name}",
            "name": f"pe-{name}",
            "type": "Microsoft.Network/privateEndpoints",
            "location": "westeurope",
            "properties": {"customDnsConfigs": [{"fqdn": f"{name}.{replica}.data.azurecr.io"}]},
        },
    ]
    return [registry, *related]


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def arm_export(count: int) -> list[dict[str, Any]]:
    resources = [r for i in range(count) for r in arm_registry(i)]
    resources.append(
        {
            "id": WORKSPACE,
            "name": "law",
            "type": "Microsoft.OperationalInsights/workspaces",
            "properties": {"retentionInDays": 400},
        }
    )
    resources.append(
        {
            "id": f"{SUBSCRIPTION}/providers/Microsoft.Security/pricings/Containers",
            "name": "Containers",
            "type": "Microsoft.Security/pricings",
            "properties": {
                "pricingTier": "Standard",
                "extensions": [{"name": "ContainerRegistriesVulnerabilityAssessments", "isEnabled": "True"}],
            },
        }
    )
    return resources


# ------------------------------------------------------------------------------------------ Terraform
def tf_registry(i: int) -> str:
    name, hardened, label = f"acrbench{i:04d}", i % 2 == 0, f"r{i:04d}"
    replica = REGIONS[i % len(REGIONS)]
    flag = "true" if hardened else "false"
    scheme = "https" if hardened else "http"
    return f'''
resource "azurerm_container_registry" "{label}" {{
  name                          = "{name}"
  resource_group_name           = azurerm_resource_group.bench.name
  location                      = "westeurope"
  sku                           = "Premium"
  admin_enabled                 = {"false" if hardened else "true"}
  public_network_access_enabled = {"false" if hardened else "true"}
  data_endpoint_enabled         = {flag}
  zone_redundancy_enabled       = {flag}
  quarantine_policy_enabled     = {flag}
  export_policy_enabled         = {"false" if hardened else "true"}
{"  retention_policy_in_days      = 7" if hardened else ""}

  network_rule_set {{
    default_action = "{"Deny" if hardened else "Allow"}"
  }}

  georeplications {{
    location                = "{replica}"
    zone_redundancy_enabled = true
  }}
}}

resource "azurerm_container_registry_scope_map" "{label}" {{
  name                    = "app-pull"
  container_registry_name = azurerm_container_registry.{label}.name
  resource_group_name     = azurerm_resource_group.bench.name
  actions                 = ["repositories/app/content/read"]
}}

resource "azurerm_container_registry_token" "{label}" {{
  name                    = "deploy"
  container_registry_name = azurerm_container_registry.{label}.name
  resource_group_name     = azurerm_resource_group.bench.name
  scope_map_id            = azurerm_container_registry_scope_map.{label}.id
}}

resource "azurerm_container_registry_token_password" "{label}" {{
  container_registry_token_id = azurerm_container_registry_token.{label}.id
  password1 {{
    expiry = "2026-02-01T00:00:00Z"
  }}
}}

resource "azurerm_container_registry_webhook" "{label}" {{
  name                = "deploy"
  registry_name       = azurerm_container_registry.{label}.name
  resource_group_name = azurerm_resource_group.bench.name
  location            = "westeurope"
  service_uri         = "{scheme}://deploy.example/{name}"
  actions             = ["push"]
}}

resource "azurerm_container_registry_task" "{label}" {{
  name                  = "purge"
  container_registry_id = azurerm_container_registry.{label}.id
  platform {{
    os = "Linux"
  }}
  encoded_step {{
    task_content = "{PURGE.encode("unicode_escape").decode()}"
  }}
  timer_trigger {{
    name     = "weekly"
    schedule = "0 3 * * 0"
  }}
}}

resource "azurerm_role_assignment" "{label}" {{
  scope                = azurerm_container_registry.{label}.id
  role_definition_name = "AcrPush"
  principal_id         = "{i:08d}-aaaa-4bbb-8ccc-000000000001"
  principal_type       = "{"ServicePrincipal" if hardened else "User"}"
}}

resource "azurerm_management_lock" "{label}" {{
  name       = "no-delete"
  scope      = azurerm_container_registry.{label}.id
  lock_level = "{"CanNotDelete" if hardened else "ReadOnly"}"
}}

resource "azurerm_private_endpoint" "{label}" {{
  name                = "pe-{name}"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.bench.name
  subnet_id           = "{SUBNET}"
  private_service_connection {{
    name                           = "acr"
    private_connection_resource_id = azurerm_container_registry.{label}.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }}
}}

resource "azurerm_monitor_diagnostic_setting" "{label}" {{
  name                       = "audit"
  target_resource_id         = azurerm_container_registry.{label}.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.audit.id
  enabled_log {{
    category = "ContainerRegistryLoginEvents"
  }}
{REPOSITORY_EVENTS if hardened else ""}}}
'''


REPOSITORY_EVENTS = """  enabled_log {
    category = "ContainerRegistryRepositoryEvents"
  }
"""

TF_SHARED = """terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "bench" {
  name     = "rg-bench"
  location = "westeurope"
}

resource "azurerm_log_analytics_workspace" "audit" {
  name                = "law"
  location            = "westeurope"
  resource_group_name = azurerm_resource_group.bench.name
  retention_in_days   = 400
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Standard"
  resource_type = "Containers"
  extension {
    name = "ContainerRegistriesVulnerabilityAssessments"
  }
}
"""


# ------------------------------------------------------------------------------------------ plan JSON
def plan_document(terraform: Path) -> dict[str, Any]:
    """What `terraform show -json` gives for a plan of the generated configuration (no Terraform here).

    Read with python-hcl2 (not regwarden's reader): literal attributes are planned values; an attribute
    holding a reference is unknown until apply and appears as references in `configuration`; ids are
    unknown until apply.
    """
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, preserve_heredocs=False)
    planned, changes, configured = [], [], []
    for file in sorted(terraform.glob("*.tf")):
        document = hcl2.loads(file.read_text(), serialization_options=options)
        for entry in document.get("resource", []):
            for kind, named in entry.items():
                for name, body in named.items():
                    kind, name = kind.strip('"'), name.strip('"')
                    values, unknown, expressions = _plan_body(body)
                    address = f"{kind}.{name}"
                    unknown["id"] = True
                    head = {"address": address, "mode": "managed", "type": kind, "name": name}
                    planned.append({**head, "values": values, "sensitive_values": {}})
                    change = {"actions": ["create"], "before": None, "after": values, "after_unknown": unknown}
                    changes.append({**head, "change": change})
                    configured.append({"address": address, "type": kind, "name": name, "expressions": expressions})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": configured}},
    }


def _plan_body(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    for key, raw in body.items():
        if key == "__is_block__":
            continue
        if isinstance(raw, list) and raw and all(isinstance(b, dict) and b.get("__is_block__") for b in raw):
            parts = [_plan_body(block) for block in raw]
            values[key] = [p[0] for p in parts]
            if any(p[1] for p in parts):
                unknown[key] = [p[1] for p in parts]
            expressions[key] = [p[2] for p in parts]
        elif isinstance(raw, str) and raw.startswith("${"):
            reference = raw[2:-1]
            unknown[key] = True
            expressions[key] = {"references": [reference, reference.rsplit(".", 1)[0]]}
        else:
            values[key] = _plan_value(raw)
            expressions[key] = {"constant_value": values[key]}
    return values, unknown, expressions


def _plan_value(raw: Any) -> Any:
    if isinstance(raw, str) and len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return json.loads(raw)
    if isinstance(raw, list):
        return [_plan_value(item) for item in raw]
    return raw


def write_inputs(folder: Path, count: int) -> tuple[Path, Path]:
    export = folder / "export.json"
    export.write_text(json.dumps(arm_export(count)))
    terraform = folder / "terraform"
    terraform.mkdir()
    (terraform / "main.tf").write_text(TF_SHARED)
    per_file = 100  # registries per file, as a real repository splits them
    for start in range(0, count, per_file):
        body = "".join(tf_registry(i) for i in range(start, min(start + per_file, count)))
        (terraform / f"registries_{start // per_file:02d}.tf").write_text(body)
    (folder / "plan.json").write_text(json.dumps(plan_document(terraform)))
    return export, terraform


# ------------------------------------------------------------------------------------------ timing
def timed(tool: str, command: list[str]) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):  # 1 = findings at/above --fail-on (regwarden) or failed checks (checkov)
        raise SystemExit(f"{tool} failed with exit code {code}:\n{stderr.decode(errors='replace')[-2000:]}")
    return Run(tool, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)


def commands(export: Path, terraform: Path) -> dict[str, list[str]]:
    audit = [str(REGWARDEN), "audit", "acr", "--output", "json", "--fail-on", "none"]
    found = {
        "regwarden audit acr --from export.json (ARM)": [*audit, "--from", str(export)],
        "regwarden audit acr --from terraform/ (.tf)": [*audit, "--from", str(terraform)],
        "regwarden audit acr --from plan.json (plan JSON)": [*audit, "--from", str(export.parent / "plan.json")],
    }
    if CHECKOV.exists():
        found["checkov -d terraform/ --framework terraform"] = [
            str(CHECKOV),
            "-d",
            str(terraform),
            "--framework",
            "terraform",
            "--skip-download",  # offline: no Prisma Cloud guideline download, as regwarden makes no call
            "--quiet",
            "--compact",
            "--output",
            "json",
        ]
    return found


def table(runs: list[Run], count: int) -> str:
    lines = [
        f"Posture audit of {count} registries (medians over the runs; peak RSS of the child process)",
        "",
        "| tool | runs | wall time (s) | CPU time, user+sys (s) | fastest wall (s) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tool in dict.fromkeys(r.tool for r in runs):
        mine = [r for r in runs if r.tool == tool]
        wall = statistics.median(r.wall_s for r in mine)
        cpu = statistics.median(r.cpu_s for r in mine)
        fastest = min(r.wall_s for r in mine)
        rss = max(r.peak_rss_kib for r in mine) / 1024
        lines.append(f"| {tool} | {len(mine)} | {wall:.2f} | {cpu:.2f} | {fastest:.2f} | {rss:.0f} |")
    if not CHECKOV.exists():
        lines.append("")
        lines.append(f"(checkov not run: {CHECKOV} is missing; install it into that separate venv)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--registries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the generated inputs here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-posture-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        export, terraform = write_inputs(folder, args.registries)
        runs: list[Run] = []
        for run in range(args.runs):
            # Alternate the order so no tool always runs on a warmer page cache.
            order = list(commands(export, terraform).items())
            for tool, command in order if run % 2 == 0 else reversed(order):
                runs.append(timed(tool, command))
        print(table(runs, args.registries))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
