"""`regwarden diff A B`: packages added, removed and changed between two builds."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class DiffFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def diff(
    before: str = typer.Argument(..., help="Earlier build: an image source or an SBOM file (CycloneDX/SPDX)."),
    after: str = typer.Argument(..., help="Later build: an image source or an SBOM file (CycloneDX/SPDX)."),
    output: DiffFormat = typer.Option(DiffFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Compare the packages of two images or SBOM files, with the layer of each change."""
    from regwarden.inventory.diff import diff_sboms
    from regwarden.report.diff_report import render_diff_json, render_diff_table
    from regwarden.service import images as service

    image_options = service.ImageOptions.from_cli(platform, insecure, username, password, timeout)
    result = diff_sboms(service.sbom_of(before, image_options), service.sbom_of(after, image_options))
    render = render_diff_json if output is DiffFormat.JSON else render_diff_table
    options.write_output(render(result), output_file)
