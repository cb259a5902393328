"""Human-readable SBOM table (rich), grouped by type, with the layer that added each package."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from regwarden.model.sbom import LayerRef, Sbom


def render_sbom_table(sbom: Sbom, *, width: int = 140, color: bool = False) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, force_terminal=color, no_color=not color, highlight=False)
    os_name = sbom.operating_system.pretty_name or sbom.operating_system.id if sbom.operating_system else "unknown"
    console.print(Text.assemble((sbom.source, "bold"), f"  {sbom.image_digest or ''}"))
    console.print(f"OS: {os_name}   packages: {len(sbom.packages)}   unknowns: {len(sbom.unknowns)}")
    table = Table(show_lines=False, header_style="bold")
    for column in ("Name", "Version", "Type", "Layer", "Added by"):
        table.add_column(column, overflow="fold")
    for package in sorted(sbom.packages, key=lambda p: (p.type.value, p.name.lower(), p.version)):
        table.add_row(package.name, package.version, package.type.value, *_layer_cells(package.layer))
    console.print(table)
    if sbom.unknowns:
        unknowns = Table(title="Unknowns (could not be read)", header_style="bold")
        unknowns.add_column("Path", overflow="fold")
        unknowns.add_column("Reason", overflow="fold")
        for unknown in sbom.unknowns:
            unknowns.add_row(unknown.path, unknown.reason)
        console.print(unknowns)
    return buffer.getvalue().encode()


def _layer_cells(layer: LayerRef | None) -> tuple[str, str]:
    if layer is None:
        return ("-", "-")
    created_by = (layer.created_by or "").strip()
    if len(created_by) > 60:
        created_by = created_by[:57] + "..."
    return (f"{layer.index} {layer.digest.removeprefix('sha256:')[:12]}", created_by)
