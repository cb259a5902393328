"""Render ImageMetadata for `regwarden inspect`."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from regwarden.model.image import ImageMetadata


def render_inspect_json(metadata: ImageMetadata) -> bytes:
    config = metadata.config
    document: dict[str, Any] = {
        "reference": metadata.reference,
        "digest": metadata.digest,
        "mediaType": metadata.media_type,
        "indexDigest": metadata.index_digest,
        "platform": str(metadata.platform) if metadata.platform else None,
        "configDigest": metadata.config_digest,
        "created": config.created,
        "size": sum(layer.size for layer in metadata.layers),
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diffID": layer.diff_id,
                "size": layer.size,
                "mediaType": layer.media_type,
                "createdBy": layer.created_by,
            }
            for layer in metadata.layers
        ],
        "config": {
            "user": config.user,
            "env": list(config.env),
            "entrypoint": list(config.entrypoint) if config.entrypoint is not None else None,
            "cmd": list(config.cmd) if config.cmd is not None else None,
            "workingDir": config.working_dir,
            "labels": dict(config.labels),
            "exposedPorts": list(config.exposed_ports),
        },
        "history": [
            {"created": h.created, "createdBy": h.created_by, "emptyLayer": h.empty_layer} for h in config.history
        ],
    }
    return json.dumps(document, indent=2).encode() + b"\n"


def render_inspect_table(metadata: ImageMetadata, *, width: int = 140) -> bytes:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False, width=width, no_color=True, highlight=False)
    config = metadata.config
    rows = [
        ("Reference", metadata.reference),
        ("Digest", metadata.digest),
        ("Index digest", metadata.index_digest or "-"),
        ("Media type", metadata.media_type),
        ("Platform", str(metadata.platform) if metadata.platform else "-"),
        ("Created", config.created or "-"),
        ("User", config.user or "(root)"),
        ("Entrypoint", " ".join(config.entrypoint) if config.entrypoint else "-"),
        ("Cmd", " ".join(config.cmd) if config.cmd else "-"),
        ("Working dir", config.working_dir or "-"),
        ("Exposed ports", ", ".join(config.exposed_ports) or "-"),
        ("Env", "\n".join(config.env) or "-"),
        ("Labels", "\n".join(f"{k}={v}" for k, v in sorted(config.labels.items())) or "-"),
    ]
    summary = Table(show_header=False, box=None)
    summary.add_column(style="bold")
    summary.add_column(overflow="fold")
    for key, value in rows:
        summary.add_row(key, value)
    console.print(summary)
    layers = Table(title=f"Layers ({len(metadata.layers)})", header_style="bold")
    for column, justify in (("#", "right"), ("Digest", "left"), ("Size", "right"), ("Created by", "left")):
        layers.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for layer in metadata.layers:
        layers.add_row(str(layer.index), layer.digest, _human(layer.size), (layer.created_by or "").strip())
    console.print(layers)
    return buffer.getvalue().encode()


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
