"""Synthetic ACR audit logs for the benchmark: storage-archive JSON lines (one record per line, the
`insights-logs-…/PT1H.json` layout) or a Log Analytics CSV export, with a realistic mix, in time order.

Per 1,000 records: ~700 pulls, ~150 logins (a few failed, a few with the admin account), ~60 pushes, ~40
untags/deletes (some in bursts), ~50 Activity Log records (registry writes, credential listings, role
assignments). 2,000 caller addresses and 300 identities; the last two days bring new addresses.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

REGISTRY = (
    "/SUBSCRIPTIONS/3F2A1B0C-5D4E-4F6A-8B7C-9D0E1F2A3B4C/RESOURCEGROUPS/RG-SHOP/PROVIDERS/"
    "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/SHOPACR"
)
SERVER = "shopacr.azurecr.io"
START = datetime(2024, 5, 1, tzinfo=UTC)
SPAN = timedelta(days=20)
CSV_COLUMNS = (
    "TimeGenerated",
    "Type",
    "OperationName",
    "Identity",
    "CallerIpAddress",
    "ResultType",
    "ResultDescription",
    "LoginServer",
    "Repository",
    "Tag",
    "Digest",
    "MediaType",
    "UserAgent",
    "CorrelationId",
    "_ResourceId",
)


def records(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    step = SPAN / count
    addresses = [f"10.{i // 250}.{i % 250}.{rng.randrange(1, 250)}" for i in range(2000)]
    newcomers = [f"203.0.113.{i}" for i in range(1, 60)] + [f"2001:db8::{i:x}" for i in range(1, 40)]
    identities = [f"pipeline-{i}" for i in range(300)]
    for n in range(count):
        moment = START + step * n
        late = moment > START + SPAN - timedelta(days=2)
        ip = rng.choice(newcomers) if late and rng.random() < 0.01 else rng.choice(addresses)
        yield _record(rng, rng.random(), moment, ip, rng.choice(identities), n)


def _record(rng: random.Random, roll: float, moment: datetime, ip: str, who: str, n: int) -> dict[str, object]:
    common = {
        "time": moment.isoformat().replace("+00:00", "Z"),
        "resourceId": REGISTRY,
        "callerIpAddress": ip,
        "correlationId": f"c-{n}",
        "identity": who,
    }
    if roll < 0.70:
        return {
            **common,
            "operationName": "Pull",
            "category": "ContainerRegistryRepositoryEvents",
            "resultType": "Success",
            "resultDescription": "200",
            "properties": _repo(rng),
        }
    if roll < 0.85:
        failed = roll > 0.845
        admin = 0.84 < roll <= 0.8405
        return {
            **common,
            "operationName": "Login",
            "category": "ContainerRegistryLoginEvents",
            "identity": "shopacr" if admin else who,
            "resultType": "Failure" if failed else "Success",
            "resultDescription": "401" if failed else "200",
            "properties": {"loginServer": SERVER},
        }
    if roll < 0.91:
        return {
            **common,
            "operationName": "Push",
            "category": "ContainerRegistryRepositoryEvents",
            "resultType": "Success",
            "resultDescription": "201",
            "properties": _repo(rng),
        }
    if roll < 0.95:
        operation = "Delete" if roll < 0.93 else "Untag"
        return {
            **common,
            "operationName": operation,
            "category": "ContainerRegistryRepositoryEvents",
            "identity": "purge-task" if roll < 0.9101 else who,
            "resultType": "Success",
            "resultDescription": "202",
            "properties": _repo(rng),
        }
    operation = rng.choice(
        (
            "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/WRITE",
            "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/LISTCREDENTIALS/ACTION",
            "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
            "MICROSOFT.CONTAINERREGISTRY/REGISTRIES/READ",
        )
    )
    return {
        **common,
        "operationName": operation,
        "category": "Administrative",
        "resultType": "Success",
        "caller": f"{who}@example.com",
        "properties": {"requestbody": '{"properties":{"adminUserEnabled":false}}'},
    }


def _repo(rng: random.Random) -> dict[str, object]:
    repo = f"shop/app{rng.randrange(200)}"
    return {
        "loginServer": SERVER,
        "repository": repo,
        "tag": f"1.{rng.randrange(50)}",
        "digest": f"sha256:{rng.getrandbits(256):064x}",
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "size": rng.randrange(500, 5000),
        "userAgent": "containerd/1.7.2",
    }


def write_json_lines(path: Path, count: int) -> Path:
    with path.open("wb") as out:
        for record in records(count):
            out.write(orjson.dumps(record) + b"\n")
    return path


def write_csv(path: Path, count: int) -> Path:
    """Log Analytics rows of the two registry tables (activities become registry reads of the same shape)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for record in records(count):
            props = record["properties"] if isinstance(record["properties"], dict) else {}
            table = str(record["category"])
            if table == "Administrative":
                table, record = "ContainerRegistryRepositoryEvents", {**record, "operationName": "Pull"}
            writer.writerow(
                (
                    record["time"],
                    table,
                    record["operationName"],
                    record["identity"],
                    record["callerIpAddress"],
                    record["resultType"],
                    record.get("resultDescription", ""),
                    SERVER,
                    props.get("repository", ""),
                    props.get("tag", ""),
                    props.get("digest", ""),
                    props.get("mediaType", ""),
                    props.get("userAgent", ""),
                    record["correlationId"],
                    REGISTRY.lower(),
                )
            )
    return path
