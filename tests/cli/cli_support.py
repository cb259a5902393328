"""Helpers shared by the CLI tests: run `regwarden` in-process (CliRunner) or as a real process.

In-process runs go through click's runner (a RegwardenError re-raises in the test); process runs go through
`python -m regwarden`, i.e. the real `main()` that maps errors to exit codes and one stderr line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from regwarden.cli.app import app

PROCESS_TIMEOUT_S = 120


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Outcome:
    """Run the Typer app in-process; a command that raised re-raises here so the test shows the real error."""
    result = CliRunner().invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


def invoke_json(args: Sequence[str], env: Mapping[str, str] | None = None) -> Any:
    outcome = invoke([*args, "-o", "json"], env)
    assert outcome.code == 0, outcome.stderr
    return json.loads(outcome.stdout)


def run_process(args: Sequence[str], home: Path, env: Mapping[str, str] | None = None) -> Outcome:
    """`python -m regwarden ARGS` with HOME and DOCKER_CONFIG pointed at `home`, so no real login leaks in."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    full_env = {**clean, "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker"), **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "regwarden", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_S,
        check=False,
    )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


def assert_clean_failure(outcome: Outcome, code: int, *needles: str) -> None:
    """The CLI contract for failures: the expected exit code, one `regwarden: error:` line, no traceback."""
    lines = outcome.stderr.strip().splitlines()
    assert outcome.code == code, f"exit {outcome.code}, stderr:\n{outcome.stderr}"
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith("regwarden: error: "), outcome.stderr
    assert "Traceback" not in outcome.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
