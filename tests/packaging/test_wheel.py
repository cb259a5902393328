"""The wheel: built from a clean copy of the sources, complete (every module and data file), installable, and
runnable from a fresh virtual environment outside the source tree.

The fresh venv reaches the test environment's already-installed dependencies through a `.pth` line (no download,
no wheelhouse), and pip installs the wheel WITH dependency checking against them, so a dependency the wheel
declares but the environment lacks would fail here. That `.pth` line adds the directory alone: the editable
install of regwarden in it (a `.pth` hook of its own) is not activated, so the code that runs is the wheel's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from regwarden import __version__
from regwarden.posture.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LC_ALL": "C.UTF-8"}
    return subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def checked(args: list[str], cwd: Path) -> str:
    result = run(args, cwd)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def copy_sources(target: Path) -> Path:
    """What an sdist holds (pyproject, README, src/), without build leftovers of the working tree."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    leftovers = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", target / "src", ignore=leftovers)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(sources copy, wheel, build log): `python -m build --wheel --no-isolation` against the dev environment's
    setuptools (the build-system requirement is checked by `build`, offline)."""
    root = tmp_path_factory.mktemp("packaging")
    project = copy_sources(root / "project")
    log = checked(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"), "."], project
    )
    (wheel,) = (root / "dist").glob("*.whl")
    return project, wheel, log


def test_build_raises_no_deprecation(built: tuple[Path, Path, str]) -> None:
    _, wheel, log = built
    assert wheel.name == f"regwarden-{__version__}-py3-none-any.whl"
    assert "Deprecat" not in log and "deprecat" not in log, log


def test_wheel_holds_every_module_and_data_file(built: tuple[Path, Path, str]) -> None:
    project, wheel, _ = built
    package = project / "src" / "regwarden"
    expected = {f"regwarden/{path.relative_to(package).as_posix()}" for path in package.rglob("*") if path.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("regwarden/")}
    assert shipped == expected
    # The files a running regwarden opens by path, beside its modules.
    assert {
        "regwarden/py.typed",
        "regwarden/store/migrations/env.py",
        "regwarden/store/migrations/script.py.mako",
        "regwarden/store/migrations/versions/0001_advisories.py",
    } <= shipped


def test_metadata_declares_the_licence_as_an_spdx_expression(built: tuple[Path, Path, str]) -> None:
    _, wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"regwarden-{__version__}.dist-info/METADATA").decode()
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "License-Expression: Apache-2.0" in headers
    assert not [line for line in headers if line.startswith(("License:", "Classifier: License"))]
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"regwarden-{__version__}.dist-info/entry_points.txt").decode()
    assert "regwarden = regwarden.cli.app:main" in entry_points


@pytest.fixture(scope="module")
def installed(built: tuple[Path, Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin directory."""
    _, wheel, _ = built
    root = tmp_path_factory.mktemp("fresh")
    venv = root / "venv"
    checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
    python = venv / "bin" / "python"
    site = Path(checked([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root).strip())
    dependencies = dict.fromkeys((sysconfig.get_path("purelib"), sysconfig.get_path("platlib")))
    (site / "test-environment-dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    checked([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-cache-dir", str(wheel)], root)
    return venv / "bin"


def test_installed_wheel_runs_from_its_own_files(installed: Path) -> None:
    where = checked([str(installed / "python"), "-c", "import regwarden; print(regwarden.__file__)"], installed)
    assert Path(where.strip()).is_relative_to(installed.parent / "lib")
    assert checked([str(installed / "regwarden"), "--version"], installed.parent).strip() == f"regwarden {__version__}"


def test_installed_wheel_lists_the_rules_as_json(installed: Path) -> None:
    result = run([str(installed / "regwarden"), "rules", "list", "-o", "json"], installed.parent)
    assert result.returncode == 0, result.stderr
    assert [rule["id"] for rule in json.loads(result.stdout)["rules"]] == [rule.meta.id for rule in ALL_RULES]


def test_installed_wheel_migrates_a_database_from_its_packaged_migrations(installed: Path) -> None:
    database = installed.parent / "fresh.db"
    result = run([str(installed / "regwarden"), "db", "status", "--db", f"sqlite:///{database}"], installed.parent)
    assert result.returncode == 8, result.stderr  # migrated, and empty: "no data", never "nothing found"
    assert result.stderr.startswith("regwarden: error: the advisory database") and "is empty" in result.stderr
    assert database.stat().st_size > 0
