"""`regwarden sbom IMAGE`: every package in an image, with the layer that added it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.sbom import Sbom


class SbomFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CYCLONEDX_JSON = "cyclonedx-json"
    CYCLONEDX_XML = "cyclonedx-xml"
    SPDX_JSON = "spdx-json"


def sbom(
    image: str | None = typer.Argument(
        None,
        help="Image (registry ref, oci:, oci-archive:, docker-archive:) or dir:PATH for a root filesystem.",
    ),
    from_file: Path | None = typer.Option(
        None,
        "--from",
        help="Read an existing CycloneDX or SPDX file instead of an image (convert or re-render).",
    ),
    output: SbomFormat = typer.Option(SbomFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """List every OS and language package in an image and write table, JSON, CycloneDX 1.6 or SPDX 2.3."""
    from regwarden.model.errors import BadInputError
    from regwarden.service import images as service
    from regwarden.service.progress import stderr_progress

    if (image is None) == (from_file is None):
        raise BadInputError("give exactly one of IMAGE or --from FILE")
    if from_file is not None:
        result = service.read_sbom(from_file)
    else:
        assert image is not None
        image_options = service.ImageOptions.from_cli(platform, insecure, username, password, timeout)
        result = service.build_sbom(image, image_options, progress=stderr_progress())
    options.write_output(service.render_sbom(result, output.value), output_file)
    warn_unknowns(result)


def warn_unknowns(sbom: Sbom, where: str = "") -> None:
    """One stderr line when paths could not be read, in every output format, so a CI log shows the gap."""
    paths = {unknown.path for unknown in sbom.unknowns}
    if paths:
        noun = "path" if len(paths) == 1 else "paths"
        typer.echo(f"regwarden: warning: {len(paths)} {noun} could not be read; see unknowns{where}", err=True)
