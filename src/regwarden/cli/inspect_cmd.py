"""`regwarden inspect IMAGE`: digest, media type, platform, layers and config of any image source."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class InspectFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def inspect(
    image: str = typer.Argument(
        ...,
        help="registry/repo:tag, registry/repo@sha256:…, oci:DIR or oci:DIR:ref, oci-archive:FILE, docker-archive:FILE",
    ),
    output: InspectFormat = typer.Option(InspectFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Show an image's manifest digest, platform, layers (size, created_by) and config."""
    from regwarden.report.inspect_report import render_inspect_json, render_inspect_table
    from regwarden.service import images as service

    image_options = service.ImageOptions.from_cli(platform, insecure, username, password, timeout)
    metadata = service.inspect_image(image, image_options)
    render = render_inspect_json if output is InspectFormat.JSON else render_inspect_table
    options.write_output(render(metadata), output_file)
