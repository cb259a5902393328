"""`regwarden promote SRC DST` (any registry) and `regwarden quarantine serve | list` (ACR's quarantine webhook).

Exit codes: 0 promoted (or the worker stopped cleanly), 1 the gate failed (nothing promoted), 3 bad input,
4 a registry was unreachable, 5 authentication, 6 the destination did not end up with SRC's digest, 8 no advisory
database.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.finding import Severity
    from regwarden.service.images import ImageOptions
    from regwarden.service.scan import ScanOptions

app = typer.Typer(help="ACR's quarantine: a worker that scans each pushed image and sets Passed or Failed.")


class ResultFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FAIL_ON = typer.Option("high", "--fail-on", help="The gate fails on a finding at least this severe.")
IGNORE_FILE = typer.Option(None, "--ignore-file", help="Accepted risks (YAML), as `scan --ignore-file`.")
VEX = typer.Option([], "--vex", help="OpenVEX document whose statements suppress findings (repeatable).")
POSTURE_FROM = typer.Option(
    [],
    "--posture-from",
    help="Registry export (az acr show, ARM) the registry must also pass `audit acr` with (repeatable).",
)


def promote(
    source: str = typer.Argument(..., help="The image to promote: REGISTRY/QUARANTINE-REPO:TAG or @DIGEST."),
    destination: str = typer.Argument(
        ..., help="Where to: REGISTRY/RELEASE-REPO[:TAG]; without a tag, SRC's tag (or its digest)."
    ),
    require_pass: bool = typer.Option(
        False, "--require-pass", help="Scan every platform first; promote only when the gate passes."
    ),
    fail_on: str = FAIL_ON,
    ignore_file: Path | None = IGNORE_FILE,
    vex: list[Path] = VEX,
    posture_from: list[Path] = POSTURE_FROM,
    output: ResultFormat = typer.Option(ResultFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Copy an image to a release repository with its digest (every platform of an index), once it passes."""
    from regwarden.service.images import ImageOptions
    from regwarden.service.promote import PromoteOptions
    from regwarden.service.promote import promote as run_promote
    from regwarden.service.quarantine_gate import GateOptions

    image = ImageOptions(insecure=insecure, username=username, password=password, timeout=timeout)
    gate = GateOptions(_scan_options(fail_on, db, ignore_file, vex, image), tuple(posture_from))
    report = run_promote(source, destination, PromoteOptions(require_pass, gate, image))
    if output is ResultFormat.JSON:
        from regwarden.report.quarantine_json import render_promote_json

        options.write_output(render_promote_json(report), output_file)
    else:
        from regwarden.report.quarantine_table import render_promote_table

        options.write_output(render_promote_table(report), output_file)
    if not report.copied:
        typer.echo(f"regwarden: gate failed: {report.source} was not promoted", err=True)
        raise typer.Exit(1)


def _scan_options(
    fail_on: str, db: str | None, ignore_file: Path | None, vex: list[Path], image: ImageOptions
) -> ScanOptions:
    from regwarden.service.scan import ScanOptions

    return ScanOptions(
        image=image, db_url=db, fail_on=parse_severity(fail_on), ignore_file=ignore_file, vex_files=tuple(vex)
    )


def parse_severity(text: str) -> Severity:
    from regwarden.model.errors import BadInputError
    from regwarden.model.finding import Severity

    try:
        return Severity.parse(text)
    except ValueError as error:
        raise BadInputError(f"--fail-on: {error}") from None
