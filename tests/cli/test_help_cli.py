"""Every command answers --help, and start-up stays light: the CLI imports no heavy library until a command runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from regwarden.cli.app import app

COMMANDS = [
    [],
    ["inspect"],
    ["sbom"],
    ["diff"],
    ["scan"],
    ["audit"],
    ["audit", "acr"],
    ["rules"],
    ["rules", "list"],
    ["rules", "show"],
    ["db"],
    ["db", "update"],
    ["db", "import"],
    ["db", "status"],
]

# Loaded only by the commands that need them; `regwarden --help` must not pay for any of them.
HEAVY = ("httpx", "azure", "sqlalchemy", "cyclonedx", "univers", "alembic", "yaml", "hcl2", "packageurl")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_renders(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "regwarden", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("regwarden ")


def test_start_up_imports_no_heavy_library() -> None:
    probe = "import sys, regwarden.cli.app; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    heavy = sorted({name for name in loaded if name.split(".")[0] in HEAVY})
    assert heavy == []
