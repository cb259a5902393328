"""`regwarden history` through its Typer command on a real inventory (the sample builds): every format, and the
exit codes of an unknown repository and of an ambiguous one."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
import typer
from typer.testing import CliRunner

from regwarden.cli.errors import GuardedGroup
from regwarden.cli.history_cmd import history
from regwarden.store import open_store
from tests.cli.cli_support import Outcome
from tests.inventory.scenario import (
    BROKEN_DIGEST,
    DEMO_1_1_DIGEST,
    DEMO_DIGEST,
    REGISTRY,
    REPOSITORY,
    catalog_builds,
    import_v1,
)


def _app() -> typer.Typer:
    app = typer.Typer(cls=GuardedGroup)

    @app.callback()
    def root() -> None:
        """Stand-in for the regwarden root group."""

    app.command("history")(history)
    return app


def run(args: Sequence[str]) -> Outcome:
    result = CliRunner().invoke(_app(), ["history", *args], env={"REGWARDEN_DB": None}, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        catalog_builds(store)
    return db_url


def test_json_lists_the_builds_and_their_changes(inventory: str) -> None:
    outcome = run([f"{REPOSITORY}:latest", "--db", inventory, "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert (document["repository"], document["tag"]) == (f"{REGISTRY}/{REPOSITORY}", "latest")
    builds = document["builds"]
    assert [(b["digest"], b["status"], b["compared_with"]) for b in builds] == [
        (DEMO_DIGEST, "catalogued", None),
        (BROKEN_DIGEST, "failed", None),
        (DEMO_1_1_DIGEST, "catalogued", DEMO_DIGEST),
        (DEMO_DIGEST, "catalogued", DEMO_1_1_DIGEST),
    ]
    upgrade = builds[2]
    assert {(c["kind"], c["name"]) for c in upgrade["package_changes"]} == {
        ("added", "idna"),
        ("changed", "Jinja2"),
        ("changed", "urllib3"),
        ("changed", "lodash"),
    }
    assert {(f["id"], f["package"], f["triage"]) for f in upgrade["fixed"]} == {
        ("CVE-2019-11324", "urllib3", None),
        ("CVE-2019-10906", "Jinja2", None),
        ("CVE-2020-8203", "lodash", None),
    }
    assert set(builds[0]) == set(upgrade)
    assert builds[1]["error"] and builds[1]["note"].startswith("could not be catalogued")


def test_table_and_markdown_show_every_build(inventory: str) -> None:
    table = run([REPOSITORY + ":latest", "--db", inventory])
    assert table.code == 0, table.stderr
    assert table.stdout.count("sha256:6543174edb1c") >= 2 and "failed" in table.stdout
    assert "+1 -0 ~3 packages; 0 introduced, 3 fixed" in table.stdout
    markdown = run([REPOSITORY + ":latest", "--db", inventory, "-o", "markdown"])
    assert markdown.code == 0, markdown.stderr
    assert markdown.stdout.startswith(f"## History of `{REGISTRY}/{REPOSITORY}:latest`")
    assert f"### Build 3: `{DEMO_1_1_DIGEST}`" in markdown.stdout
    assert "| CVE-2020-8203 | high | lodash | 4.17.15 |  |" in markdown.stdout


def test_unknown_repository_exits_7_and_ambiguous_one_exits_3(inventory: str) -> None:
    missing = run(["shop/nothing", "--db", inventory])
    assert (missing.code, missing.stdout) == (7, "")
    assert "no repository named 'shop/nothing'" in missing.stderr
    with open_store(inventory) as store:
        store.locations.repository_id("mirror.example", REPOSITORY)
    ambiguous = run([REPOSITORY, "--db", inventory])
    assert ambiguous.code == 3
    assert "pick one with --registry" in ambiguous.stderr
    picked = run([REPOSITORY, "--db", inventory, "--registry", "mirror.example", "-o", "json"])
    assert (picked.code, json.loads(picked.stdout)["builds"]) == (0, [])
