"""Render an SbomDiff as a table or JSON."""

from __future__ import annotations

import io
import json

from rich.console import Console
from rich.table import Table

from regwarden.inventory.diff import PackageChange, SbomDiff
from regwarden.model.sbom import LayerRef


def render_diff_table(diff: SbomDiff, *, width: int = 140) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    counts = {kind: len(diff.of_kind(kind)) for kind in ("added", "removed", "changed")}
    console.print(f"{diff.before}  ->  {diff.after}")
    console.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))
    if diff.changes:
        table = Table(header_style="bold")
        for column in ("Change", "Type", "Name", "Before", "After", "Layer"):
            table.add_column(column, overflow="fold")
        for change in diff.changes:
            table.add_row(
                change.kind,
                change.type,
                change.name,
                ", ".join(change.before) or "-",
                ", ".join(change.after) or "-",
                _layer_text(change.layer_after or change.layer_before),
            )
        console.print(table)
    return buffer.getvalue().encode()


def render_diff_json(diff: SbomDiff) -> bytes:
    document = {
        "before": diff.before,
        "after": diff.after,
        "changes": [_change(change) for change in diff.changes],
    }
    return json.dumps(document, indent=2).encode() + b"\n"


def _change(change: PackageChange) -> dict[str, object]:
    return {
        "kind": change.kind,
        "type": change.type,
        "name": change.name,
        "before": list(change.before),
        "after": list(change.after),
        "layer_before": _layer_json(change.layer_before),
        "layer_after": _layer_json(change.layer_after),
    }


def _layer_json(layer: LayerRef | None) -> dict[str, object] | None:
    if layer is None:
        return None
    return {"index": layer.index, "digest": layer.digest, "created_by": layer.created_by}


def _layer_text(layer: LayerRef | None) -> str:
    if layer is None:
        return "-"
    return f"{layer.index}: {(layer.created_by or layer.digest)[:60]}"
