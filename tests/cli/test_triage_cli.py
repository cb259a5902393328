"""`regwarden triage`, `triage list` and `triage export` through the real root app on a real inventory: the
default `add`, the author's default, usage errors (exit 2), unknown ids (exit 7), the list's JSON and the export."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regwarden.cli.app import app
from regwarden.collect.sbomfile.openvex import read_openvex_file
from regwarden.store import open_store
from tests.cli.cli_support import Outcome
from tests.inventory.scenario import DEMO_DIGEST, catalog_builds, import_v1


def run(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Outcome:
    environment = {"REGWARDEN_DB": None, "REGWARDEN_USER": None, "REGWARDEN_CONFIG": None, **(env or {})}
    result = CliRunner().invoke(app, list(args), env=environment, catch_exceptions=False)
    return Outcome(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        catalog_builds(store)
    return db_url


def test_triage_id_records_lists_and_exports(inventory: str, tmp_path: Path) -> None:
    recorded = run(
        ["triage", "GHSA-p6mc-m468-83gw", "--image", DEMO_DIGEST, "--state", "not_affected", "--reason", "unused",
         "--db", inventory],
        env={"REGWARDEN_USER": "ana"},
    )  # fmt: skip
    assert recorded.code == 0, recorded.stderr
    assert recorded.stdout == (
        f"recorded: CVE-2020-8203 not_affected for image(s) {DEMO_DIGEST} by ana; covers 1 finding(s) in 1 image(s); "
        "0 production exposure(s) closed, 0 event(s)\n"
    )
    again = run(
        ["triage", "add", "CVE-2020-8203", "--all", "--state", "accepted", "--reason", "r", "--author", "bo",
         "--expires", "2099-12-31", "--db", inventory]
    )  # fmt: skip
    assert again.code == 0, again.stderr
    listing = run(["triage", "list", "CVE-2020-8203", "-o", "json", "--db", inventory])
    document = json.loads(listing.stdout)
    assert document["query"] == "CVE-2020-8203"
    assert [(d["scope"], d["state"], d["author"], d["expires"], d["status"]) for d in document["decisions"]] == [
        ("image", "not_affected", "ana", None, "active"),
        ("all", "accepted", "bo", "2099-12-31", "active"),
    ]
    assert set(document["decisions"][0]) == {
        "id", "scope", "target", "package", "state", "reason", "author", "created_at", "expires", "status"
    }  # fmt: skip
    vex = tmp_path / "out" / "triage.openvex.json"
    exported = run(["triage", "export", "--output-file", str(vex), "--author", "sec@example.com", "--db", inventory])
    assert exported.code == 0, exported.stderr
    assert {(s.vulnerability, s.status.value) for s in read_openvex_file(vex)} == {
        ("CVE-2020-8203", "not_affected"),
        ("CVE-2020-8203", "affected"),
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["CVE-2020-8203", "--state", "fixed", "--reason", "r"], 2, "exactly one of --image, --repo or --all"),
        (["CVE-2020-8203", "--all", "--repo", "r/x", "--state", "fixed", "--reason", "r"], 2, "exactly one"),
        (["CVE-2020-8203", "--all", "--state", "fixed", "--reason", "r", "--expires", "soon"], 2, "YYYY-MM-DD"),
        (["CVE-2020-8203", "--all", "--state", "ignored", "--reason", "r"], 2, "ignored"),
        (["CVE-1999-0001", "--all", "--state", "fixed", "--reason", "r"], 7, "no advisory or finding answers"),
    ],
)
def test_bad_commands_exit_with_their_code(inventory: str, args: list[str], code: int, message: str) -> None:
    outcome = run(["triage", *args, "--author", "ana", "--db", inventory])
    assert outcome.code == code
    assert message in outcome.stderr
    with open_store(inventory) as store:
        assert store.triage.decisions() == []


def test_triage_add_has_json_output(inventory: str) -> None:
    recorded = run(
        ["triage", "CVE-2020-8203", "--image", DEMO_DIGEST, "--state", "fixed", "--reason", "patched in place",
         "--author", "cy", "--db", inventory, "-o", "json"]
    )  # fmt: skip
    assert recorded.code == 0, recorded.stderr
    document = json.loads(recorded.stdout)
    assert [(d["id"], d["scope"], d["target"], d["state"], d["author"]) for d in document["decisions"]] == [
        ("CVE-2020-8203", "image", DEMO_DIGEST, "fixed", "cy")
    ]
    assert (document["covered"], document["images"], document["exposures_closed"]) == (1, 1, 0)
