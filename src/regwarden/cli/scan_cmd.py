"""`regwarden scan IMAGE|SBOM-FILE`: known vulnerabilities from the offline OSV database, and a CI gate.

Exit codes: 0 ok (or findings below --fail-on), 1 gate failed, 3 bad input, 4 registry unreachable, 8 no
advisory database (run `regwarden db update` or `db import`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options
from regwarden.model.finding import Severity

if TYPE_CHECKING:
    from regwarden.model.sbom import Sbom


class ScanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    CYCLONEDX_JSON = "cyclonedx-json"
    MARKDOWN = "markdown"


def scan(
    target: str = typer.Argument(
        ...,
        help="Image (registry ref, oci:, oci-archive:, docker-archive:, dir:PATH) or an SBOM file "
        "(CycloneDX, SPDX, regwarden JSON).",
    ),
    severity: str | None = typer.Option(
        None, "--severity", help="Only show these severities, comma-separated (e.g. critical,high)."
    ),
    fail_on: str | None = typer.Option(
        None, "--fail-on", help="Exit 1 when a shown, unsuppressed finding is at least this severe."
    ),
    ignore_unfixed: bool = typer.Option(False, "--ignore-unfixed", help="Hide vulnerabilities with no fix yet."),
    ignore_file: Path | None = typer.Option(
        None, "--ignore-file", help="Accepted risks (YAML). Default: .regwarden-ignore.yaml in the working directory."
    ),
    vex: list[Path] = typer.Option(
        [], "--vex", help="OpenVEX document; not_affected/fixed statements suppress findings (repeatable)."
    ),
    output: ScanFormat = typer.Option(ScanFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = typer.Option(
        None, "--db", envvar="REGWARDEN_DB", help="Advisory database URL or SQLite file. Default: the user data dir."
    ),
    max_db_age: float = typer.Option(
        7.0, "--max-db-age", help="Warn when the advisory database is older than this many days."
    ),
    record: bool = typer.Option(
        False, "--record", help="Also catalog the image in the inventory (the same --db), as `inventory add` does."
    ),
    repo: str | None = typer.Option(
        None,
        "--repo",
        help="With --record: where the image is pushed, REGISTRY/REPOSITORY (e.g. myreg.azurecr.io/web).",
    ),
    tag: str | None = typer.Option(None, "--tag", help="With --record: the tag it is pushed under."),
    server: str | None = typer.Option(
        None, "--server", help="With --record: record on this regwarden server (POST /api/v1/scans), not in --db."
    ),
    token: str | None = typer.Option(
        None, "--token", envvar="REGWARDEN_TOKEN", help="With --server: an API token with the ingest scope."
    ),
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Find known vulnerabilities in an image or SBOM; with --fail-on, fail the pipeline on what matters."""
    from regwarden.cli.sbom_cmd import warn_unknowns
    from regwarden.service import scan as service
    from regwarden.service.images import ImageOptions

    scan_options = service.ScanOptions(
        image=ImageOptions.from_cli(platform, insecure, username, password, timeout),
        db_url=db,
        severities=_severities(severity),
        fail_on=_severity(fail_on, "--fail-on") if fail_on else None,
        ignore_unfixed=ignore_unfixed,
        ignore_file=ignore_file,
        vex_files=tuple(vex),
        max_db_age_days=max_db_age,
    )
    if (repo or tag or server) and not record:
        from regwarden.model.errors import BadInputError

        raise BadInputError("--repo, --tag and --server say where to record the image: use them with --record")
    report = service.scan(target, scan_options)
    if record and server:
        _record_on_server(report.sbom, target, server, token or "", repo, tag)
    elif record:
        _record(report.sbom, target, db, repo, tag)
    for warning in report.warnings:
        typer.echo(f"regwarden: warning: {warning}", err=True)
    warn_unknowns(report.sbom, " (in -o json, or from regwarden sbom); what they hold was not checked")
    options.write_output(service.render_scan(report, output.value), output_file)
    if report.gate_failed:
        assert report.fail_on is not None
        count = sum(1 for f in report.counted if f.severity.rank >= report.fail_on.rank)
        typer.echo(f"regwarden: gate failed: {count} finding(s) at or above {report.fail_on.value}", err=True)
        raise typer.Exit(1)


def _severities(text: str | None) -> frozenset[Severity]:
    if not text:
        return frozenset()
    return frozenset(_severity(part, "--severity") for part in text.split(",") if part.strip())


def _severity(text: str, option: str) -> Severity:
    from regwarden.model.errors import BadInputError

    try:
        return Severity.parse(text)
    except ValueError as error:
        raise BadInputError(f"{option}: {error}") from None


def _record(sbom: Sbom, target: str, db: str | None, repo: str | None, tag: str | None) -> None:
    """Catalog the scanned SBOM in the inventory; its findings there come from the same advisory store."""
    from regwarden.service.inventory import record_scanned_sbom
    from regwarden.store import open_store

    with open_store(db) as store:
        outcome = record_scanned_sbom(store, sbom, target, repository=repo, tag=tag)
    state = "catalogued" if outcome.new else "already catalogued; location recorded"
    typer.echo(f"regwarden: recorded {outcome.digest} in the inventory ({state})", err=True)


def _record_on_server(sbom: Sbom, target: str, server: str, token: str, repo: str | None, tag: str | None) -> None:
    from regwarden.service.server_client import send_scan

    recorded = send_scan(server, token, sbom, target, repository=repo, tag=tag)
    state = "catalogued" if recorded.new else "already catalogued; location recorded"
    typer.echo(f"regwarden: recorded {recorded.digest} on {server} ({state})", err=True)
