"""Options shared by the commands that read images, and writing a rendered result."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

PLATFORM = typer.Option(
    None,
    "--platform",
    help="Platform to select from a multi-arch image: os/arch or os/arch/variant (default linux/amd64). When given, "
    "a single-platform image of another platform is an error.",
)
INSECURE = typer.Option(False, "--insecure", help="Allow plain HTTP and unverified TLS to the registry.")
USERNAME = typer.Option(None, "--username", "-u", envvar="REGWARDEN_USERNAME", help="Registry user name.")
PASSWORD = typer.Option(None, "--password", "-p", envvar="REGWARDEN_PASSWORD", help="Registry password or token.")
TIMEOUT = typer.Option(30.0, "--timeout", help="Per-request registry timeout in seconds.")
OUTPUT_FILE = typer.Option(None, "--output-file", help="Write the result to this file instead of stdout.")
DB = typer.Option(
    None,
    "--db",
    envvar="REGWARDEN_DB",
    help="Database URL (sqlite:///FILE, postgresql://…) or a SQLite file path. Default: the user data dir.",
)
CONFIG = typer.Option(
    None,
    "--config",
    envvar="REGWARDEN_CONFIG",
    help="regwarden config file (environments, notifications, watch). Default: ~/.config/regwarden/config.yaml.",
)


def write_output(data: bytes, output_file: Path | None) -> None:
    if output_file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_bytes(data)
    typer.echo(f"wrote {output_file}", err=True)
