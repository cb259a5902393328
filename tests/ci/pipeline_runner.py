"""Run the script steps of action.yml and of the Azure Pipelines template for real, the way the runners do.

Only the expressions the files use are resolved: `${{ inputs.X }}` and `${{ steps.ID.outputs.Y }}` (GitHub),
`${{ parameters.X }}` and `$(VAR)` (Azure, with variables set by `##vso[task.setvariable]`). Anything else left
in a script's environment fails the test, so the files cannot drift into expressions these tests do not check.
Conditions are evaluated in the same spirit, one form per platform: a step's `if: inputs.X == 'VALUE'` (GitHub,
which compares strings ignoring case) and a `${{ if eq(parameters.X, true|false) }}:` block of steps (Azure);
any other condition on a script step fails the test.
`uses:` / `task:` steps (setup-python, upload-sarif, publish artifacts) belong to the platforms and are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
AZURE_TEMPLATE = REPO / "ci" / "azure-pipelines" / "regwarden-scan.yml"
STEP_TIMEOUT_S = 300
_GITHUB_EXPR = re.compile(r"\$\{\{\s*(?:inputs\.([\w-]+)|steps\.([\w-]+)\.outputs\.([\w-]+))\s*\}\}")
_AZURE_PARAM = re.compile(r"\$\{\{\s*parameters\.(\w+)\s*\}\}")
_AZURE_MACRO = re.compile(r"\$\(([\w.]+)\)")
_SETVARIABLE = re.compile(r"^##vso\[task\.setvariable variable=(\w+)\](.*)$", re.MULTILINE)
_GITHUB_IF = re.compile(r"^inputs\.([\w-]+) == '([^']*)'$")
_AZURE_IF = re.compile(r"^\$\{\{ if eq\(parameters\.(\w+), (true|false)\) \}\}$")
# The real command line of this interpreter's regwarden, whatever is installed elsewhere on PATH.
_WRAPPER = """#!{python}
from regwarden.cli.app import main

main()
"""


@dataclass(frozen=True)
class StepRun:
    name: str
    code: int
    stdout: str
    stderr: str


def runner_env(home: Path) -> dict[str, str]:
    """A clean environment with `regwarden` on PATH and no user data dir, credentials or REGWARDEN_* leaking in."""
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "regwarden"
    wrapper.write_text(_WRAPPER.format(python=sys.executable), encoding="utf-8")
    wrapper.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_", "GITHUB_"))}
    return {
        **clean,
        "PATH": f"{bin_dir}{os.pathsep}{clean.get('PATH', '')}",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }


def _run_bash(
    script: str, env: Mapping[str, str], cwd: Path, flags: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    script_file = cwd / ".step.sh"
    script_file.write_text(script, encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", *flags, str(script_file)],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )


def _resolved(env: Mapping[str, Any], resolve: Callable[[str], str]) -> dict[str, str]:
    values = {name: resolve(str(value)) for name, value in env.items()}
    leftover = {name: value for name, value in values.items() if "${{" in value or "$(" in value}
    assert not leftover, f"unresolved expressions in step env: {leftover}"
    return values


def run_action(inputs: Mapping[str, str], workdir: Path, env: Mapping[str, str]) -> list[StepRun]:
    """The action's `run:` steps in order, stopping at the first failure as GitHub does."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values.update(inputs)
    outputs: dict[str, dict[str, str]] = {}

    def resolve(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group(1):
                return values[match.group(1)]
            return outputs.get(match.group(2), {}).get(match.group(3), "")

        return _GITHUB_EXPR.sub(one, text)

    runs: list[StepRun] = []
    for n, step in enumerate(action["runs"]["steps"]):
        if "run" not in step or not _github_condition(step.get("if"), values):
            continue
        assert step.get("shell") == "bash", step["name"]
        output_file, summary = workdir / f".github-output-{n}", workdir / "step-summary.md"
        output_file.touch()
        step_env = {
            **env,
            **_resolved(step.get("env", {}), resolve),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(workdir),
        }
        done = _run_bash(step["run"], step_env, workdir, ("-e", "-o", "pipefail"))
        if "id" in step:
            lines = output_file.read_text(encoding="utf-8").splitlines()
            outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        runs.append(StepRun(step["name"], done.returncode, done.stdout, done.stderr))
        if done.returncode != 0:
            break
    return runs


def _github_condition(condition: str | None, values: Mapping[str, str]) -> bool:
    """A script step's `if:`; with no status function in it, GitHub adds success(), which stopping at the first
    failure already gives."""
    if condition is None:
        return True
    match = _GITHUB_IF.match(condition.strip())
    assert match, f"the runner evaluates only `inputs.X == 'VALUE'` conditions on script steps: {condition!r}"
    return values[match.group(1)].casefold() == match.group(2).casefold()


def azure_steps() -> list[dict[str, Any]]:
    template = yaml.safe_load(AZURE_TEMPLATE.read_text(encoding="utf-8"))
    return list(template["steps"])


def azure_conditional_blocks() -> dict[tuple[str, bool], list[dict[str, Any]]]:
    """The template's `${{ if eq(parameters.X, true|false) }}:` blocks, by (parameter, value)."""
    blocks: dict[tuple[str, bool], list[dict[str, Any]]] = {}
    for step in azure_steps():
        for key, inner in step.items():
            match = _AZURE_IF.match(key)
            if match:
                blocks[(match.group(1), match.group(2) == "true")] = list(inner)
    return blocks


def _expanded_azure_steps(steps: list[dict[str, Any]], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Steps as Azure renders the template: a conditional block becomes its steps, or nothing."""
    expanded: list[dict[str, Any]] = []
    for step in steps:
        conditions = [key for key in step if key.startswith("${{")]
        if not conditions:
            expanded.append(step)
            continue
        match = _AZURE_IF.match(conditions[0])
        assert match and len(step) == 1, f"the runner expands only `if eq(parameters.X, true|false)`: {step}"
        value = values[match.group(1)]
        assert isinstance(value, bool), f"{match.group(1)} is a boolean parameter, got {value!r}"
        if value == (match.group(2) == "true"):
            expanded.extend(step[conditions[0]])
    return expanded


def run_azure_template(
    parameters: Mapping[str, str | bool], workdir: Path, staging: Path, env: Mapping[str, str]
) -> list[StepRun]:
    """The template's `bash:` steps in order, with Azure's rendering of booleans (True/False)."""
    template = yaml.safe_load(AZURE_TEMPLATE.read_text(encoding="utf-8"))
    values = {p["name"]: p.get("default", "") for p in template["parameters"]}
    unknown = set(parameters) - set(values)
    assert not unknown, f"not parameters of the template: {unknown}"
    values.update(parameters)
    rendered = {k: (str(v) if isinstance(v, bool) else v) for k, v in values.items()}
    variables = {"Build.ArtifactStagingDirectory": str(staging)}

    def resolve(text: str) -> str:
        text = _AZURE_PARAM.sub(lambda m: str(rendered[m.group(1)]), text)
        return _AZURE_MACRO.sub(lambda m: variables.get(m.group(1), m.group(0)), text)

    runs: list[StepRun] = []
    for step in _expanded_azure_steps(template["steps"], values):
        if "bash" not in step:
            continue
        step_env = {**env, **_resolved(step.get("env", {}), resolve)}
        done = _run_bash(step["bash"], step_env, workdir, ())
        variables.update(_SETVARIABLE.findall(done.stdout))
        runs.append(StepRun(step["displayName"], done.returncode, done.stdout, done.stderr))
        if done.returncode != 0:
            break
    return runs


def resolve_azure(text: str, staging: Path) -> str:
    return text.replace("$(Build.ArtifactStagingDirectory)", str(staging))
