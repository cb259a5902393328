"""`inventory list` and `where` as tables or JSON: images, where they live, what they hold, who runs them."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from regwarden.model.inventory import ImpactRow, InventoryImage, RunningWorkload, WhereReport

SEVERITIES = ("critical", "high", "medium", "low", "info")


def render_inventory_json(images: list[InventoryImage]) -> bytes:
    document = {"images": [_image(image) for image in images]}
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def render_inventory_table(images: list[InventoryImage], *, width: int = 170) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    if not images:
        console.print("The inventory holds no image: run `regwarden sync registry` or `regwarden inventory add`.")
        return buffer.getvalue().encode()
    table = Table(header_style="bold")
    for column in ("Image", "Digest", "Created", "Packages", "C/H/M/L", "Running"):
        table.add_column(column, overflow="fold")
    for image in images:
        names = "\n".join(place.reference(image.digest) for place in image.places) or "(no registry place)"
        counts = "/".join(str(image.findings.get(s, 0)) for s in SEVERITIES[:4])
        status = counts if image.status == "catalogued" else f"failed: {image.error}"
        table.add_row(names, image.digest, image.created or "", str(image.packages), status, _running(image.running))
    console.print(table)
    console.print(f"{len(images)} image(s)")
    return buffer.getvalue().encode()


def render_where_json(report: WhereReport) -> bytes:
    document = {
        "query": report.query,
        "images": [_hit(row) for row in report.rows],
        "unordered_versions": list(report.unordered_versions),
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def render_where_table(report: WhereReport, *, width: int = 170) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    digests = {row.component.digest for row in report.rows}
    running = {_workload_key(w) for row in report.rows for w in row.running}
    console.print(f"{report.query}: {len(digests)} image(s), {len(running)} running workload(s)")
    if report.rows:
        table = Table(header_style="bold")
        for column in ("Package", "Version", "Type", "Image", "Layer", "Running"):
            table.add_column(column, overflow="fold")
        for row in report.rows:
            c = row.component
            layer = "" if c.layer_index is None else str(c.layer_index)
            table.add_row(c.package, c.version, c.type, f"{c.image}\n{c.digest}", layer, _running(row.running))
        console.print(table)
    for version in report.unordered_versions:
        console.print(f"warning: {version}: its ecosystem cannot order this version; not compared with the range")
    return buffer.getvalue().encode()


def _image(image: InventoryImage) -> dict[str, object]:
    return {
        "digest": image.digest,
        "status": image.status,
        "error": image.error,
        "places": [{"registry": p.registry, "repository": p.repository, "tags": list(p.tags)} for p in image.places],
        "created": image.created,
        "platform": image.platform,
        "packages": image.packages,
        "findings": {severity: image.findings.get(severity, 0) for severity in SEVERITIES},
        "running": [workload_json(w) for w in image.running],
        "catalogued_at": image.catalogued_at.isoformat(),
    }


def _hit(row: ImpactRow) -> dict[str, object]:
    c = row.component
    return {
        "image": c.image,
        "digest": c.digest,
        "package": c.package,
        "version": c.version,
        "type": c.type,
        "purl": c.purl,
        "layer": c.layer_index,
        "running": [workload_json(w) for w in row.running],
    }


def workload_json(workload: RunningWorkload) -> dict[str, object]:
    return {
        "cluster": workload.cluster,
        "namespace": workload.namespace,
        "kind": workload.kind,
        "workload": workload.name,
        "container": workload.container,
        "image": workload.image,
        "digest": workload.digest,
        "environment": workload.environment,
        "environment_rule": workload.environment_rule,
        "pods": workload.pods,
    }


def _running(workloads: tuple[RunningWorkload, ...]) -> str:
    if not workloads:
        return "-"
    shown = sorted({f"{w.cluster}/{w.namespace}/{w.name} ({w.environment})" for w in workloads})
    return "\n".join(shown)


def _workload_key(workload: RunningWorkload) -> tuple[str, str, str, str]:
    return (workload.cluster, workload.namespace, workload.kind, workload.name)
