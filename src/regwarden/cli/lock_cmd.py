"""`regwarden lock | unlock IMAGE [--write] [--delete]`: ACR's image locks (changeable attributes)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from regwarden.cli import options


class LockFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


IMAGE = typer.Argument(
    ..., help="myreg.azurecr.io/repo:tag (the tag and its manifest) or repo@sha256:… (the manifest)."
)
WRITE = typer.Option(False, "--write", help="writeEnabled: no overwrite and no delete (with neither flag: both).")
DELETE = typer.Option(False, "--delete", help="deleteEnabled: no delete (with neither flag: both).")
ACR = typer.Option(None, "--acr/--no-acr", help="Treat the registry as an ACR (default: for *.azurecr.io hosts).")
OUTPUT = typer.Option(LockFormat.TABLE, "--output", "-o", help="Output format.")


def lock(
    image: str = IMAGE,
    write: bool = WRITE,
    delete: bool = DELETE,
    acr: bool | None = ACR,
    output: LockFormat = OUTPUT,
    output_file: Path | None = options.OUTPUT_FILE,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Lock an image in ACR: a locked image cannot be deleted (and with --write, not overwritten either), by purge,
    `acr purge` (without --include-locked) or anyone."""
    _change(image, True, write, delete, acr, output, output_file, insecure, username, password, timeout)


def unlock(
    image: str = IMAGE,
    write: bool = WRITE,
    delete: bool = DELETE,
    acr: bool | None = ACR,
    output: LockFormat = OUTPUT,
    output_file: Path | None = options.OUTPUT_FILE,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Unlock an image in ACR (enable writes and/or deletes again)."""
    _change(image, False, write, delete, acr, output, output_file, insecure, username, password, timeout)


def _change(
    image: str,
    lock: bool,
    write: bool,
    delete: bool,
    acr: bool | None,
    output: LockFormat,
    output_file: Path | None,
    insecure: bool,
    username: str | None,
    password: str | None,
    timeout: float,
) -> None:
    from regwarden.report.lock_report import render_lock_json, render_lock_table
    from regwarden.service.images import ImageOptions
    from regwarden.service.locks import change_locks

    image_options = ImageOptions.from_cli(None, insecure, username, password, timeout)
    report = change_locks(image, lock=lock, write=write, delete=delete, options=image_options, acr=acr)
    render = render_lock_json if output is LockFormat.JSON else render_lock_table
    options.write_output(render(report), output_file)
