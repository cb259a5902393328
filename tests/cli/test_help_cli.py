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


def test_a_command_loads_its_own_module_and_no_other() -> None:
    """The root group builds only the command the line names (cli/lazy.py): `sbom` pays for no other command."""
    probe = (
        "import sys, contextlib, io; from regwarden.cli.app import app\n"
        "with contextlib.redirect_stdout(io.StringIO()): app(['sbom', '--help'], standalone_mode=False)\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    commands = {name for name in loaded if name.startswith("regwarden.cli.") and name.endswith("_cmd")}
    assert commands == {"regwarden.cli.sbom_cmd"}
    # typer 0.29 coerces every option through pydantic (pyproject.toml pins below it): 0.1 s of start-up.
    assert "pydantic" not in loaded


def test_every_command_of_the_table_is_listed_by_help() -> None:
    from regwarden.cli.app import COMMANDS

    listed = CliRunner().invoke(app, ["--help"]).output
    shown = {name for name, entry in COMMANDS.items() if not entry.hidden}
    assert shown and all(f" {name} " in listed for name in shown)
    assert "serve-admission" not in listed
